import { type EntityManager } from '@mikro-orm/postgresql';
import { type IngestionConfig } from '../config/ingestion.config.js';
import { ActiveContracts } from './active-contracts.js';

const TTL_MS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The contract table as the loader sees it: each read answers when the test says so. */
class Reads {
  version = '1.0';
  readonly pending: { resolve: (row: unknown) => void; reject: (e: Error) => void }[] = [];
  autoAnswer = true;
  count = 0;

  findOne(): Promise<unknown> {
    this.count++;
    const row = {
      id: `c-${this.version}`,
      contractVersion: this.version,
      acceptedEventTypes: ['clicked'],
      validationRules: [],
      requiredFields: [],
    };
    if (this.autoAnswer) return Promise.resolve(row);
    return new Promise((resolve, reject) =>
      this.pending.push({ resolve: () => resolve(row), reject }),
    );
  }
}

function contracts(reads: Reads): ActiveContracts {
  const em = { fork: () => ({ findOne: () => reads.findOne() }) } as unknown as EntityManager;
  const config = {
    INGESTION_CONTRACT_CACHE_TTL_MS: TTL_MS,
    INGESTION_RETRY_AFTER_SEC: 1,
  } as IngestionConfig;
  return new ActiveContracts(em, config);
}

describe('ActiveContracts', () => {
  it('re-reads in the background after half the TTL while requests go on with the cached contract', async () => {
    const reads = new Reads();
    const active = contracts(reads);
    expect((await active.reporting()).version).toBe('1.0');
    await sleep(TTL_MS / 2 + 20);
    reads.autoAnswer = false;
    reads.version = '1.1';
    // Past the refresh point: answered at once from the cache, one read started.
    expect((await active.reporting()).version).toBe('1.0');
    expect((await active.reporting()).version).toBe('1.0');
    expect(reads.count).toBe(2);
    reads.pending.shift()!.resolve(undefined);
    await sleep(0);
    expect((await active.reporting()).version).toBe('1.1');
  });

  it('keeps the compiled contract while its row is unchanged (no recompiling on every re-read)', async () => {
    const reads = new Reads();
    const active = contracts(reads);
    const first = await active.reporting();
    await sleep(TTL_MS + 10);
    expect(await active.reporting()).toBe(first);
    active.invalidate();
    expect(await active.reporting()).toBe(first);
    reads.version = '1.1';
    active.invalidate();
    const changed = await active.reporting();
    expect(changed).not.toBe(first);
    expect(changed.version).toBe('1.1');
    expect(reads.count).toBe(4);
  });

  it('waits for a read once the TTL ran out without a successful re-read', async () => {
    const reads = new Reads();
    const active = contracts(reads);
    await active.reporting();
    reads.autoAnswer = false;
    await sleep(TTL_MS / 2 + 20);
    await active.reporting(); // starts the background read, which fails
    reads.pending.shift()!.reject(new Error('database down'));
    await sleep(0);
    // The failure is not retried on every request (an outage would mean a read per request).
    await active.reporting();
    await active.reporting();
    expect(reads.count).toBe(2);
    await sleep(TTL_MS / 2);
    reads.version = '2.0';
    let answered = false;
    const waiting = active.reporting().then((c) => {
      answered = true;
      return c;
    });
    await sleep(20);
    expect(answered).toBe(false);
    reads.pending.shift()!.resolve(undefined);
    expect((await waiting).version).toBe('2.0');
  });

  it('does not keep what a read that began before an invalidation returned', async () => {
    const reads = new Reads();
    const active = contracts(reads);
    reads.autoAnswer = false;
    const first = active.reporting();
    active.invalidate();
    reads.version = '3.0';
    const second = active.reporting();
    const [before, after] = reads.pending.splice(0, 2);
    after.resolve(undefined);
    expect((await second).version).toBe('3.0');
    before.resolve(undefined); // the read from before the invalidation answers last
    expect((await first).version).toBe('1.0');
    expect((await active.reporting()).version).toBe('3.0');
    expect(reads.count).toBe(2);
  });
});
