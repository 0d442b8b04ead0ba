export * from './bootstrap/bootstrap.js';
export * from './bootstrap/openapi.js';
export * from './config/load-config.js';
export * from './config/service-config.module.js';
export * from './config/service.config.js';
export * from './pagination/cursor.js';
export * from './http/load-shedding.js';
export * from './openapi/api-operation.js';
