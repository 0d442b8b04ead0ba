export * from './infrastructure.js';
export * from './test-environment.js';
export * from './tcp-proxy.js';
export * from './wait-for.js';
export * from './test-bus.js';
export * from './openapi-fuzz.js';
export * from './event-schema-check.js';
export * from './check-constraints.js';
