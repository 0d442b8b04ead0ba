// Entry of the `<script>` build (dist/browser/ihf-sdk.iife.js, global `IHF`) for pages without
// a bundler: the core, the web component and the annotation UI.
export * from './index.js';
export { defineIhfWidget } from './web-component/index.js';
export { createAnnotator, CATEGORIES, SEVERITIES } from './annotate/index.js';
