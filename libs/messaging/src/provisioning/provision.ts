import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import {
  STREAMS,
  physicalStreamName,
  physicalSubject,
  type ConsumerDefinition,
  type StreamDefinition,
} from '@ihf/contracts';

/** JetStream's "not found" API error codes (stream 10059, consumer 10014). */
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** Server-side stream configuration of a stream definition, in a namespace. */
export function streamConfig(def: StreamDefinition, namespace: string): StreamConfig {
  return {
    name: physicalStreamName(namespace, def.name),
    description: def.description,
    subjects: def.subjects.map((s) => physicalSubject(namespace, s)),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(def.maxAgeMs),
    max_bytes: def.maxBytes,
    duplicate_window: nanos(def.duplicateWindowMs),
    num_replicas: 1,
  } as StreamConfig;
}

/** Server-side consumer configuration of a consumer definition, in a namespace. */
export function consumerConfig(
  def: ConsumerDefinition,
  namespace: string,
): Partial<ConsumerConfig> {
  return {
    durable_name: def.durable,
    description: `${def.service} consumes ${def.filterSubject}`,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: def.deliverPolicy === 'all' ? DeliverPolicy.All : DeliverPolicy.New,
    filter_subject: physicalSubject(namespace, def.filterSubject),
    ack_wait: nanos(def.ackWaitMs),
    // The runner dead-letters at def.maxDeliver with the reason; the server limit is a
    // backstop a little above it, so a message is never redelivered forever.
    max_deliver: def.maxDeliver + 2,
    max_ack_pending: def.maxAckPending,
  };
}

/**
 * Creates or updates streams so that the server matches the definitions in `@ihf/contracts`.
 * Idempotent; safe when several replicas start at once (a lost create race becomes an update).
 */
export async function provisionStreams(
  jsm: JetStreamManager,
  namespace: string,
  defs: readonly StreamDefinition[],
): Promise<void> {
  for (const def of defs) {
    const config = streamConfig(def, namespace);
    try {
      await jsm.streams.info(config.name);
      await jsm.streams.update(config.name, config);
    } catch (error) {
      if (!isApiError(error, STREAM_NOT_FOUND)) throw error;
      try {
        await jsm.streams.add(config);
      } catch (addError) {
        // Another replica created it between our info and our add.
        await jsm.streams.update(config.name, config).catch(() => {
          throw addError;
        });
      }
    }
  }
}

/** Creates or updates durable consumers (their streams must exist). Idempotent. */
export async function provisionConsumers(
  jsm: JetStreamManager,
  namespace: string,
  defs: readonly ConsumerDefinition[],
): Promise<void> {
  for (const def of defs) {
    const stream = physicalStreamName(namespace, STREAMS[def.stream].name);
    const config = consumerConfig(def, namespace);
    try {
      await jsm.consumers.info(stream, def.durable);
      await jsm.consumers.update(stream, def.durable, config);
    } catch (error) {
      if (!isApiError(error, CONSUMER_NOT_FOUND)) throw error;
      await jsm.consumers.add(stream, config);
    }
  }
}
