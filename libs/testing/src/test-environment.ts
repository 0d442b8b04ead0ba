import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { physicalStreamName } from '@ihf/contracts';
import { withDatabase } from '@ihf/persistence';
import { EventSchemaCheck } from './event-schema-check.js';
import { busAuthRequested, harnessSecurity, startAuthenticatedBus } from './authenticated-bus.js';

/**
 * One test file's private world on the shared servers: its own Postgres database (with the
 * real migrations applied by whatever the test boots) and its own NATS namespace (stream and
 * subject prefix), so that test files run in parallel and never touch a developer's stack.
 */
export interface TestEnvironment {
  /** URL of this file's own, freshly created database. */
  readonly databaseUrl: string;
  readonly natsUrl: string;
  /** Bus namespace for this file (`t` + random hex); pass it as IHF_NATS_NAMESPACE. */
  readonly natsNamespace: string;
  /**
   * Drops the database and deletes the namespace's streams; fails when an event published in
   * the namespace did not match its committed JSON Schema (see `EventSchemaCheck`).
   */
  teardown(): Promise<void>;
}

function serverUrls(): { databaseUrl: string; natsUrl: string } {
  const databaseUrl = process.env.IHF_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const natsUrl = process.env.IHF_TEST_NATS_URL ?? process.env.NATS_URL;
  if (!databaseUrl || !natsUrl) {
    throw new Error(
      'No test infrastructure: run the tests through `npm test` (its Jest global setup finds Postgres and NATS), ' +
        'or set DATABASE_URL and NATS_URL.',
    );
  }
  return { databaseUrl, natsUrl };
}

/** Creates a database and a bus namespace for one test file. Call in `beforeAll`. */
export async function createTestEnvironment(): Promise<TestEnvironment> {
  const { databaseUrl: serverUrl, natsUrl: sharedNatsUrl } = serverUrls();
  const id = randomBytes(5).toString('hex');
  const database = `ihf_test_${id}`;
  const natsNamespace = `t${id}`;

  // With IHF_TEST_BUS_AUTH=1, a nats-server of this file's own with the generated permissions;
  // every process of the file takes its service's credentials from IHF_BUS_CREDENTIALS_DIR.
  const authenticated = busAuthRequested() ? await startAuthenticatedBus(natsNamespace) : undefined;
  if (authenticated) process.env.IHF_BUS_CREDENTIALS_DIR = authenticated.credentialsDir;
  const natsUrl = authenticated?.server.url ?? sharedNatsUrl;

  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }

  // Started before anything can publish in the namespace, so that every event is seen.
  const schemaCheck = await EventSchemaCheck.start(natsUrl, natsNamespace);

  return {
    databaseUrl: withDatabase(serverUrl, database),
    natsUrl,
    natsNamespace,
    async teardown() {
      const checked = schemaCheck.stop();
      // Cleaned up whatever the check found; its failure is thrown afterwards.
      checked.catch(() => undefined);
      await deleteNamespaceStreams(natsUrl, natsNamespace);
      const client = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
      if (authenticated) {
        await authenticated.server.stop();
        delete process.env.IHF_BUS_CREDENTIALS_DIR;
      }
      await checked;
    },
  };
}

/** Deletes every stream of a bus namespace (and so its consumers). */
export async function deleteNamespaceStreams(natsUrl: string, namespace: string): Promise<void> {
  const nc = await connect({
    servers: natsUrl.split(','),
    name: 'ihf-test-teardown',
    ...harnessSecurity(),
  });
  try {
    const jsm = await jetstreamManager(nc);
    const prefix = physicalStreamName(namespace, '');
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(prefix)) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
}
