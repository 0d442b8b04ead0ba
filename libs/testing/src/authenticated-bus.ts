import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS, busPermissions, type BusPermissions } from '@ihf/contracts';
import {
  provisionStreams,
  credentialEnv,
  natsAuthorizationConfig,
  natsSecurityOptions,
  newCredential,
  type BusCredential,
  type NatsSecurityOptions,
} from '@ihf/messaging';
import { startNatsServer, type NatsServerProcess } from './nats-server-process.js';

/** The bus user of the test harness itself (TestBus, schema check, teardown): may do anything. */
export const TEST_HARNESS_USER = 'test-harness';

const HARNESS: BusPermissions = {
  user: TEST_HARNESS_USER,
  description: 'the test harness, standing in for the services a test does not start',
  publish: { allow: ['>'], deny: [] },
  subscribe: { allow: ['>'], deny: [] },
  allowResponses: false,
};

/**
 * Whether this run puts every test file on a private nats-server with the generated bus
 * permissions (`IHF_TEST_BUS_AUTH=1 npm test -- services/<name>`): the service under test then
 * runs its whole test flow under its own generated user, and anything its permissions miss
 * fails the test.
 */
export function busAuthRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.IHF_TEST_BUS_AUTH === '1';
}

/** A private nats-server with the generated users of `namespace`, and their credentials. */
export interface AuthenticatedBus {
  readonly server: NatsServerProcess;
  /** Holds one `<user>.env` per user (what IHF_BUS_CREDENTIALS_DIR points to). */
  readonly credentialsDir: string;
}

/** Starts a nats-server of this test file with the generated permissions of `namespace`. */
export async function startAuthenticatedBus(namespace: string): Promise<AuthenticatedBus> {
  const permissions = [...busPermissions(namespace), HARNESS];
  const credentials = new Map<string, BusCredential>(
    permissions.map((p) => [p.user, newCredential(p.user, 'password')]),
  );
  const server = await startNatsServer({
    config: natsAuthorizationConfig(permissions, credentials),
  });
  for (const c of credentials.values()) {
    const lines = Object.entries(credentialEnv(c)).map(([k, v]) => `${k}=${v}`);
    writeFileSync(join(server.dir, `${c.user}.env`), `${lines.join('\n')}\n`, { mode: 0o600 });
  }
  // Every stream exists, as once their owners have started: a service under test may only
  // create its own, and the owners of the others are not running in a service's tests.
  const nc = await connect({
    servers: server.url,
    ...natsSecurityOptions(TEST_HARNESS_USER, credentialEnv(credentials.get(TEST_HARNESS_USER)!)),
  });
  try {
    await provisionStreams(await jetstreamManager(nc), namespace, Object.values(STREAMS));
  } finally {
    await nc.close();
  }
  return { server, credentialsDir: server.dir };
}

/**
 * Connection options of the test harness: its own credentials when the run uses generated
 * permissions (IHF_BUS_CREDENTIALS_DIR set by `createTestEnvironment`), none otherwise.
 */
export function harnessSecurity(): NatsSecurityOptions {
  return natsSecurityOptions(TEST_HARNESS_USER);
}
