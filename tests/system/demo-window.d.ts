// What the SDK demo page (libs/sdk-web/demo/main.ts) puts on `window`, for the scenarios of
// libs/sdk-web/e2e that this project type-checks without the page's own sources.
interface Window {
  ihfDemo?: { tracker: { flush(): Promise<void> } };
}
