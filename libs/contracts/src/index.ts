export * from './envelope/event-envelope.js';
export * from './events/subjects.js';
export * from './events/event-contracts.js';
export * from './events/identity/identity.events.js';
export * from './streams/streams.js';
export * from './streams/consumers.js';
export * from './schema/json-schema.js';
