// class-transformer's @Type() (nested payload objects) reads design-type metadata.
import 'reflect-metadata';
export * from './envelope/event-envelope.js';
export * from './value-sets/value-sets.js';
export * from './schema/presence.js';
export * from './events/subjects.js';
export * from './events/event-contracts.js';
export * from './events/event-examples.js';
export * from './events/identity/identity.events.js';
export * from './events/ingestion/ingestion.events.js';
export * from './events/feedback/feedback.events.js';
export * from './events/governance/governance.events.js';
export * from './events/agents/agents.events.js';
export * from './rpc/ingestion.rpc.js';
export * from './rpc/feedback.rpc.js';
export * from './streams/streams.js';
export * from './streams/consumers.js';
export * from './schema/json-schema.js';
export * from './bus/bus-permissions.js';
