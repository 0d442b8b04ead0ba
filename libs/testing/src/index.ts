export * from './infrastructure.js';
export * from './test-environment.js';
export * from './tcp-proxy.js';
export * from './wait-for.js';
export * from './test-bus.js';
export * from './openapi-responses.js';
export * from './openapi-lint.js';
