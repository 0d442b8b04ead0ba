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
import { asBusPermissionError } from '../auth/permission-watch.js';

/**
 * A stream this service reads from does not exist yet, and its permissions do not let it create
 * it: its owner creates it when it starts. Not a reason to crash; wait for the owner.
 */
export class StreamNotProvisionedError extends Error {
  constructor(
    readonly stream: string,
    cause: unknown,
  ) {
    super(
      `Stream ${stream} is missing and this service may not create it: its owner creates it at start-up; waiting for it`,
      { cause },
    );
    this.name = 'StreamNotProvisionedError';
  }
}

/** JetStream's "not found" API error codes (stream 10059, consumer 10014). */
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/**
 * Upper bound on any stream's `max_bytes`, from `IHF_STREAM_MAX_BYTES` (unset: the
 * definitions' own sizes). JetStream reserves each stream's `max_bytes` against the server's
 * storage when the stream is created, so a development machine, a small server or a test run
 * with many namespaces needs smaller streams than production.
 */
export function streamMaxBytesCap(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.IHF_STREAM_MAX_BYTES;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1024 * 1024) {
    throw new Error(
      `IHF_STREAM_MAX_BYTES must be a whole number of bytes, at least 1 MiB (got '${raw}')`,
    );
  }
  return value;
}

/**
 * Replicas of every stream, from `IHF_STREAM_REPLICAS` (unset: 1). Production runs a 3-node
 * JetStream cluster with 3 (deploy/README.md): an acknowledged publish is then on a quorum of
 * servers' disks, so losing one server loses nothing. A value above 1 needs a clustered server
 * (a single server refuses the stream). JetStream allows at most 5.
 */
export function streamReplicas(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.IHF_STREAM_REPLICAS;
  if (raw === undefined || raw.trim() === '') return 1;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 5) {
    throw new Error(`IHF_STREAM_REPLICAS must be a whole number from 1 to 5 (got '${raw}')`);
  }
  return value;
}

/** Server-side stream configuration of a stream definition, in a namespace. */
export function streamConfig(
  def: StreamDefinition,
  namespace: string,
  maxBytesCap: number | undefined = streamMaxBytesCap(),
  replicas: number = streamReplicas(),
): StreamConfig {
  return {
    name: physicalStreamName(namespace, def.name),
    description: def.description,
    subjects: def.subjects.map((s) => physicalSubject(namespace, s)),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    // Dead letters are evidence: when the DLQ is full, refuse new ones (the consumer retries
    // and alerts) rather than silently dropping the oldest.
    discard: def.name === 'IHF_DLQ' ? DiscardPolicy.New : DiscardPolicy.Old,
    max_age: nanos(def.maxAgeMs),
    max_bytes:
      maxBytesCap !== undefined && (def.maxBytes < 0 || def.maxBytes > maxBytesCap)
        ? maxBytesCap
        : def.maxBytes,
    duplicate_window: nanos(def.duplicateWindowMs),
    num_replicas: replicas,
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
    // Unlimited on the server: the runner dead-letters at def.maxDeliver with the reason, and
    // retries without limit only while its own database is unreachable (an outage must not
    // turn into dead letters).
    max_deliver: -1,
    max_ack_pending: def.maxAckPending,
  };
}

/**
 * Makes the server's streams match their definitions in `@ihf/contracts`.
 * - `owner`: the producing service creates or updates its streams (idempotent; a lost create
 *   race with another replica becomes an update). Replicas are raised in place to
 *   `IHF_STREAM_REPLICAS` (JetStream copies the stream to the new peers while it serves), and
 *   never lowered below what an operator set on the server.
 * - `ensure`: a consuming service only creates a stream it reads from when it is missing, and
 *   never changes it, so two versions of a service during a rolling deploy do not undo each
 *   other's settings.
 */
export async function provisionStreams(
  jsm: JetStreamManager,
  namespace: string,
  defs: readonly StreamDefinition[],
  mode: 'owner' | 'ensure' = 'owner',
): Promise<void> {
  for (const def of defs) {
    try {
      await provisionStream(jsm, namespace, def, mode);
    } catch (error) {
      const refused = asBusPermissionError(error);
      if (!refused) throw error;
      // With generated permissions a service creates only its own streams (and the DLQ).
      if (mode === 'ensure') throw new StreamNotProvisionedError(def.name, error);
      throw new Error(`Could not provision stream ${def.name}: ${refused.message}`, {
        cause: error,
      });
    }
  }
}

async function provisionStream(
  jsm: JetStreamManager,
  namespace: string,
  def: StreamDefinition,
  mode: 'owner' | 'ensure',
): Promise<void> {
  const config = streamConfig(def, namespace);
  let existing: StreamConfig | undefined;
  try {
    existing = (await jsm.streams.info(config.name)).config;
  } catch (error) {
    if (!isApiError(error, STREAM_NOT_FOUND)) throw error;
  }
  if (existing) {
    if (mode === 'owner') {
      await jsm.streams.update(config.name, {
        ...config,
        num_replicas: Math.max(existing.num_replicas ?? 1, config.num_replicas ?? 1),
      });
    }
    return;
  }
  try {
    await jsm.streams.add(config);
  } catch (addError) {
    // Another replica created it between our info and our add.
    const now = await jsm.streams.info(config.name).catch(() => undefined);
    if (!now) throw addError;
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
      try {
        await jsm.consumers.info(stream, def.durable);
        await jsm.consumers.update(stream, def.durable, config);
      } catch (error) {
        if (!isApiError(error, CONSUMER_NOT_FOUND)) throw error;
        await jsm.consumers.add(stream, config);
      }
    } catch (error) {
      const refused = asBusPermissionError(error);
      if (!refused) throw error;
      throw new Error(`Could not provision consumer ${def.durable}: ${refused.message}`, {
        cause: error,
      });
    }
  }
}
