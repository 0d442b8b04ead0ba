import { type EntityManager } from '@mikro-orm/postgresql';
import { generateApiKey, parseApiKey, type PresentedApiKey } from '@ihf/auth';
import { type IngestionConfig } from '../config/ingestion.config.js';
import { HubApiKeyVerifier } from './hub-api-key.verifier.js';

/** A verifier over a stand-in table: `execute` answers the prefix look-up and the last-use update. */
function verifierOver(rows: Map<string, { id: string; hub_id: string; key_hash: string }>) {
  const lookups: string[] = [];
  const touches: string[] = [];
  /** How many UPDATE statements wrote them. */
  const touchStatements: number[] = [];
  const execute = (sql: string, params: string[]): Promise<unknown[]> => {
    if (sql.startsWith('select')) {
      lookups.push(params[0]);
      const row = rows.get(params[0]);
      return Promise.resolve(row ? [row] : []);
    }
    // One statement for every key due since the last flush: `{id,id,...}`.
    const ids = params[0].slice(1, -1).split(',');
    touches.push(...ids);
    touchStatements.push(ids.length);
    return Promise.resolve([]);
  };
  const em = { getConnection: () => ({ execute }) } as unknown as EntityManager;
  const config = {
    INGESTION_API_KEY_CACHE_TTL_MS: 60_000,
    INGESTION_RETRY_AFTER_SEC: 5,
  } as IngestionConfig;
  return { verifier: new HubApiKeyVerifier(em, config), lookups, touches, touchStatements };
}

function presented(prefix: string): PresentedApiKey {
  return { key: `ihf_${prefix}_${'x'.repeat(43)}`, prefix };
}

describe('HubApiKeyVerifier caches', () => {
  afterEach(() => jest.useRealTimers());

  it('keeps a real key cached while thousands of random prefixes are tried (22.9)', async () => {
    const real = generateApiKey();
    const { verifier, lookups } = verifierOver(
      new Map([[real.prefix, { id: 'key-1', hub_id: 'hub-1', key_hash: real.hash }]]),
    );
    const key = parseApiKey(real.key)!;
    expect(await verifier.verify(key)).toMatchObject({ hubId: 'hub-1', keyId: 'key-1' });
    // More unknown prefixes than either cache holds: they may only evict each other.
    for (let i = 0; i < 25_000; i++) {
      expect(await verifier.verify(presented(`r${i.toString(36).padStart(7, '0')}`))).toBeNull();
    }
    const before = lookups.length;
    expect(await verifier.verify(key)).toMatchObject({ hubId: 'hub-1', keyId: 'key-1' });
    expect(lookups.length).toBe(before);
  });

  it('still remembers unknown prefixes (a repeated bad key does not reach Postgres)', async () => {
    const { verifier, lookups } = verifierOver(new Map());
    expect(await verifier.verify(presented('unknown1'))).toBeNull();
    expect(await verifier.verify(presented('unknown1'))).toBeNull();
    expect(lookups).toEqual(['unknown1']);
  });

  it('forgets last-use writes older than the write interval, so the map stays bounded (22.9)', async () => {
    jest.useFakeTimers({ now: Date.parse('2026-12-07T00:00:00Z') });
    const keys = Array.from({ length: 500 }, (_, i) => {
      const k = generateApiKey();
      return { k, row: { id: `key-${i}`, hub_id: 'hub-1', key_hash: k.hash } };
    });
    const { verifier, touches, touchStatements } = verifierOver(
      new Map(keys.map(({ k, row }) => [k.prefix, row])),
    );
    for (const { k } of keys.slice(0, 250)) await verifier.verify(parseApiKey(k.key)!);
    expect(verifier.trackedLastUses).toBe(250);
    // Written together, off the request path: nothing yet, then one statement for all 250.
    expect(touches).toHaveLength(0);
    jest.advanceTimersByTime(1_000);
    expect(touchStatements).toEqual([250]);
    jest.setSystemTime(Date.now() + 61_000);
    for (const { k } of keys.slice(250)) await verifier.verify(parseApiKey(k.key)!);
    expect(verifier.trackedLastUses).toBe(250);
    jest.advanceTimersByTime(1_000);
    expect(touches).toHaveLength(500);
    expect(new Set(touches).size).toBe(500);
    // A key used again within the minute is not written again; after it, it is.
    await verifier.verify(parseApiKey(keys[499].k.key)!);
    jest.advanceTimersByTime(1_000);
    expect(touches).toHaveLength(500);
    jest.setSystemTime(Date.now() + 61_000);
    await verifier.verify(parseApiKey(keys[499].k.key)!);
    jest.advanceTimersByTime(1_000);
    expect(touches).toHaveLength(501);
    expect(touchStatements).toEqual([250, 250, 1]);
    expect(verifier.trackedLastUses).toBe(1);
  });
});
