export * from './context/request-context.js';
