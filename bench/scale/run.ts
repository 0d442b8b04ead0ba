/**
 * `npm run test:scale`: scale-out proven on loopback (deploy/README.md, "Scale-out run").
 *
 * Starts a 3-node NATS JetStream cluster (nats-server processes, own store directories under a
 * temp dir, streams at R3), two replicas of every service present under services/ (each
 * connecting as its own database role), and drives events and annotations through both
 * ingestion replicas, a client that resends to the other replica on any failure (the SDK's
 * delivery contract), while:
 *  1. the NATS server leading the events stream is SIGKILLed, and restarted 10 s later;
 *  2. one replica of every service is SIGKILLed, and restarted 5 s later;
 *  3. the ingestion replica holding the tail relay's leadership is stopped, so that it moves to
 *     the other one (then restarted).
 * Then it checks: every acknowledged event is stored once and in the stream once; every
 * acknowledged annotation is in feedback once; the consumers of both replicas shared the work
 * (deliveries handled per replica, from their /metrics) without handling one twice; the rate
 * limit and the API-key cache across replicas; and it reports the time to recover from each
 * fault. Exit code 0 only when every check passed. `--quick`: shorter phases.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { jetstream } from '@nats-io/jetstream';
import { TestTokenIssuer } from '@ihf/auth';
import { provisionServiceRole, SERVICE_ROLES, serviceRoleUrl } from '@ihf/persistence';
import { NATS_SERVER_BIN, startNatsCluster, type NatsCluster } from '@ihf/testing';
import { parseArgs } from '../lib/cli.ts';
import { describeMachine, writePretty } from '../lib/report.ts';
import { BenchSession, freePort, repoRoot } from '../lib/session.ts';
import { round, sleep } from '../lib/util.ts';
import { ensureContract } from '../ingestion/setup.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs({
  usage: `npm run test:scale [-- --quick]
  --quick  shorter phases`,
  flags: ['quick'],
});
const quick = args.flag('quick');
const PHASE_MS = quick ? 6_000 : 15_000;

/** Services with an entry point, identity first (as scripts/services.mjs orders them). */
const ORDER = Object.keys(SERVICE_ROLES);
const services = ORDER.filter((s) => existsSync(join(repoRoot, 'services', s, 'src', 'main.ts')));

interface Replica {
  readonly service: string;
  readonly name: string; // e.g. ingestion-a
  readonly port: number;
  incarnation: number;
  child?: ChildProcess;
  /** Highest handled count per consumer seen in each incarnation's /metrics. */
  readonly handled: Map<string, number[]>;
  readonly duplicates: Map<string, number[]>;
}

interface Fault {
  readonly what: string;
  readonly recovery: Record<string, number | string>;
}

const checks: { name: string; ok: boolean; detail: string }[] = [];
function check(name: string, ok: boolean, detail: string): void {
  checks.push({ name, ok, detail });
}

async function main(): Promise<boolean> {
  const suffix = randomBytes(3).toString('hex');
  const clusterDir = mkdtempSync(join(tmpdir(), 'ihf-scale-nats-'));
  let cluster: NatsCluster | undefined = await startNatsCluster({
    size: 3,
    name: `ihf-scale-${suffix}`,
    dir: clusterDir,
  });
  // BenchSession reads NATS_URL: everything of this run talks to the cluster.
  process.env.NATS_URL = cluster.url;
  const session = new BenchSession({
    name: 'scale',
    resultsDir: join(here, 'results'),
    smoke: false,
    keep: false,
  });
  const log = (line: string) => session.log(line);
  log(
    `scale-out run ${quick ? '(quick) ' : ''}services=${services.join(',')} db=${session.dbName}`,
  );
  log(`NATS cluster: ${cluster.nodes.map((n) => `${n.name}@${n.clientPort}`).join(', ')}`);
  const issuer = await TestTokenIssuer.start();
  const keyDir = mkdtempSync(join(tmpdir(), 'ihf-scale-key-'));
  const roles: string[] = [];
  const replicas: Replica[] = [];
  const faults: Fault[] = [];
  let db: pg.Client | undefined;
  let passed = false;
  let stopLoad = false;
  let scraper: Promise<void> | undefined;
  try {
    await session.createDatabase();
    // Least privilege, as in compose and Kubernetes: each service its own role and schema.
    const roleUrl = new Map<string, string>();
    for (const service of services) {
      const spec = {
        ...SERVICE_ROLES[service],
        role: `${SERVICE_ROLES[service].role}_${suffix}`,
        password: randomBytes(12).toString('hex'),
      };
      await provisionServiceRole(session.dbUrl(), spec);
      roles.push(spec.role);
      roleUrl.set(service, serviceRoleUrl(session.dbUrl(), spec));
    }
    const keyFile = join(keyDir, 'jwt.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

    const envOf = (service: string, port: number): Record<string, string> => ({
      DATABASE_URL: roleUrl.get(service)!,
      NATS_URL: cluster!.url,
      IHF_NATS_NAMESPACE: session.namespace,
      IHF_JWKS_URL: issuer.jwksUrl,
      IHF_STREAM_REPLICAS: '3',
      IHF_STREAM_MAX_BYTES: String(128 * 1024 ** 2),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '1000',
      // Per hub and replica (documented): small, so that the probe below meets it.
      INGESTION_RATE_LIMIT_EVENTS_PER_SEC: '100',
      INGESTION_RATE_LIMIT_BURST: '200',
      IHF_JWT_PRIVATE_KEY_FILE: keyFile,
      IHF_ADMIN_EMAIL: 'scale-admin@example.org',
      IHF_ADMIN_PASSWORD: `Scale-${randomBytes(8).toString('hex')}-pw!`,
      GOVERNANCE_SECRET_KEY: randomBytes(32).toString('base64'),
      NOTIFICATIONS_SECRET_KEY: randomBytes(32).toString('base64'),
    });
    async function start(r: Replica): Promise<number> {
      const t = Date.now();
      r.incarnation++;
      r.handled.forEach((v) => v.push(0));
      r.duplicates.forEach((v) => v.push(0));
      r.child = await session.startProcess(
        `${r.name}.${r.incarnation}`,
        [serviceEntry(r.service)],
        envOf(r.service, r.port),
        r.port,
      );
      return Date.now() - t;
    }
    async function kill(r: Replica): Promise<void> {
      const child = r.child;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGKILL');
      await exited;
      r.child = undefined;
    }
    async function terminate(r: Replica): Promise<void> {
      await session.stopProcess(`${r.name}.${r.incarnation}`);
      r.child = undefined;
    }

    const startupMs: Record<string, number> = {};
    for (const suffixName of ['a', 'b']) {
      for (const service of services) {
        const r: Replica = {
          service,
          name: `${service}-${suffixName}`,
          port: await freePort(),
          incarnation: 0,
          handled: new Map(),
          duplicates: new Map(),
        };
        replicas.push(r);
        startupMs[r.name] = await start(r);
      }
    }
    const ingestion = replicas.filter((r) => r.service === 'ingestion');
    const feedbackPresent = services.includes('feedback');
    const base = (r: Replica) => `http://127.0.0.1:${r.port}`;
    const token = issuer.sign({ sub: randomUUID(), roles: ['admin'] });
    const api = async <T>(r: Replica, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base(r)}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };

    // --- Setup through ingestion-a: contract, hubs with keys, widgets (their events reach feedback).
    await ensureContract({ base: base(ingestion[0]), token }, log);
    const hubs: { id: string; key: string; keyId: string; widgets: string[] }[] = [];
    for (let i = 0; i < 8; i++) {
      const hub = await api<{ id: string }>(ingestion[0], 'POST', '/api/v1/hubs', {
        slug: `scale-${suffix}-${i}`,
        name: `Scale hub ${i}`,
        domain: `scale${i}.example.com`,
      });
      const key = await api<{ id: string; key: string }>(
        ingestion[i % 2],
        'POST',
        `/api/v1/hubs/${hub.id}/api-keys`,
        { label: 'scale' },
      );
      const widgets: string[] = [];
      for (let w = 0; w < 3; w++) {
        const widget = await api<{ id: string }>(
          ingestion[(i + w) % 2],
          'POST',
          `/api/v1/hubs/${hub.id}/widgets`,
          { name: `Widget ${w}`, widget_type: 'button' },
        );
        widgets.push(widget.id);
      }
      hubs.push({ id: hub.id, key: key.key, keyId: key.id, widgets });
    }
    const loadHubs = hubs.slice(0, 6);
    log(`setup: ${hubs.length} hubs, ${hubs.length * 3} widgets`);

    // --- Metrics of every live replica every 2 s (a killed incarnation keeps its last figures).
    const scrape = async () => {
      for (const r of replicas) {
        if (!r.child) continue;
        const text = await fetch(`${base(r)}/metrics`)
          .then((res) => (res.ok ? res.text() : ''))
          .catch(() => '');
        for (const m of text.matchAll(/^ihf_consumer_deliveries_total\{([^}]*)\} (\d+)/gm)) {
          const labels = Object.fromEntries(
            [...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
          );
          const target =
            labels.outcome === 'handled'
              ? r.handled
              : labels.outcome === 'duplicate'
                ? r.duplicates
                : undefined;
          if (!target) continue;
          const series =
            target.get(labels.consumer) ?? Array.from({ length: r.incarnation }, () => 0);
          target.set(labels.consumer, series);
          series[r.incarnation - 1] = Math.max(series[r.incarnation - 1] ?? 0, Number(m[2]));
        }
      }
    };
    scraper = (async () => {
      while (!stopLoad) {
        await scrape();
        await sleep(2000);
      }
    })();

    // --- Load: events and annotations through both ingestion replicas, resent to the other
    // replica on any failure (same ids: a resend of a stored id answers `duplicate`).
    const ackedEvents = new Set<string>();
    const ackedAnnotations = new Set<string>();
    const refusals = { events: 0, annotations: 0, resends: 0 };
    let rr = 0;
    async function deliver(path: string, key: string, body: unknown): Promise<Response> {
      for (let attempt = 0; ; attempt++) {
        const r = ingestion[rr++ % 2];
        try {
          const res = await fetch(`${base(r)}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status < 500 && res.status !== 429) return res;
          await res.body?.cancel();
        } catch {
          // refused connection (replica down) or time-out: outcome unknown, resend
        }
        refusals.resends++;
        if (attempt > 400)
          throw new Error(`${path}: no replica accepted after ${attempt} attempts`);
        await sleep(250);
      }
    }
    const eventWorker = async (w: number) => {
      for (let n = 0; !stopLoad; n++) {
        const hub = loadHubs[(w + n) % loadHubs.length];
        const events = Array.from({ length: 10 }, (_, i) => ({
          id: randomUUID(),
          hub_id: hub.id,
          widget_id: hub.widgets[i % hub.widgets.length],
          event_type: 'clicked',
          actor_type: 'user',
          occurred_at: new Date().toISOString(),
        }));
        const res = await deliver('/api/v1/interaction-events', hub.key, { events });
        const body = (await res.json()) as { results?: { id: string; status: string }[] };
        if (res.status !== 202) refusals.events += events.length;
        for (const result of body.results ?? []) {
          if (result.status === 'accepted' || result.status === 'duplicate')
            ackedEvents.add(result.id);
          else refusals.events++;
        }
        await sleep(125);
      }
    };
    const annotationWorker = async () => {
      for (let n = 0; !stopLoad; n++) {
        const hub = loadHubs[n % loadHubs.length];
        const id = randomUUID();
        const res = await deliver('/api/v1/annotations', hub.key, {
          id,
          hub_id: hub.id,
          widget_id: hub.widgets[n % hub.widgets.length],
          body: `scale annotation ${n}`,
          category: 'idea',
          severity: 'low',
        });
        await res.body?.cancel();
        if (res.status === 202) ackedAnnotations.add(id);
        else refusals.annotations++;
        await sleep(100);
      }
    };
    const load = Promise.all([0, 1, 2].map(eventWorker).concat([annotationWorker()]));
    const loadStarted = Date.now();

    const jsm = await session.jsm();
    const eventsStream = `${session.namespace.toUpperCase()}_IHF_EVENTS`;
    const lastSeq = async () =>
      (await jsm.streams.info(eventsStream).catch(() => undefined))?.state.last_seq ?? -1;
    /**
     * Milliseconds from `from` until the events stream grows past `baseline` (read before the
     * fault): the relay publishes again. Failed reads (no leader yet) count as not yet.
     */
    const untilStreamGrows = async (from: number, baseline: number, limitMs = 120_000) => {
      while (Date.now() - from < limitMs) {
        if ((await lastSeq()) > baseline) return Date.now() - from;
        await sleep(100);
      }
      return NaN;
    };
    await sleep(PHASE_MS);

    // --- Fault 1: SIGKILL the NATS server leading the events stream, restart it after 10 s.
    {
      const info = await jsm.streams.info(eventsStream);
      const leaderName = info.cluster?.leader;
      const i = Math.max(
        0,
        cluster.nodes.findIndex((n) => n.name === leaderName),
      );
      log(
        `fault 1: SIGKILL NATS ${cluster.nodes[i].name} (leader of ${eventsStream}, R${info.config.num_replicas})`,
      );
      const baseline = await lastSeq();
      const t = Date.now();
      await cluster.kill(i);
      const published = await untilStreamGrows(t, baseline);
      const newLeader = await jsm.streams
        .info(eventsStream)
        .then((x) => x.cluster?.leader)
        .catch(() => '?');
      await sleep(Math.max(0, 10_000 - (Date.now() - t)));
      const t2 = Date.now();
      await cluster.start(i);
      await cluster.waitHealthy(120_000);
      const rejoinMs = Date.now() - t2;
      // Every stream's replicas current again on the restarted node.
      const t3 = Date.now();
      let caughtUp = NaN;
      while (Date.now() - t3 < 120_000) {
        const x = await jsm.streams.info(eventsStream).catch(() => undefined);
        if (
          x &&
          (x.cluster?.replicas ?? []).length === 2 &&
          x.cluster!.replicas!.every((p) => p.current)
        ) {
          caughtUp = Date.now() - t2;
          break;
        }
        await sleep(250);
      }
      faults.push({
        what: `SIGKILL NATS stream leader ${cluster.nodes[i].name} (restarted after 10 s)`,
        recovery: {
          'events published again after (ms)': published,
          'new stream leader': newLeader ?? '?',
          'restarted node healthy after (ms)': rejoinMs,
          'its replica current after (ms)': caughtUp,
        },
      });
    }
    await sleep(PHASE_MS);

    // --- Fault 2: SIGKILL one replica of every service; restart each after 5 s.
    {
      const victims = replicas.filter((r) => r.name.endsWith('-b'));
      log(`fault 2: SIGKILL ${victims.map((r) => r.name).join(', ')}`);
      const baseline = await lastSeq();
      const t = Date.now();
      await Promise.all(victims.map(kill));
      const published = await untilStreamGrows(t, baseline);
      await sleep(Math.max(0, 5_000 - (Date.now() - t)));
      const recovery: Record<string, number | string> = {
        'events published meanwhile after (ms)': published,
      };
      for (const r of victims)
        recovery[`${r.name} ready again after restart (ms)`] = await start(r);
      faults.push({ what: 'SIGKILL one replica of every service (restarted after 5 s)', recovery });
    }
    await sleep(PHASE_MS);

    // --- Fault 3: move the tail relay's leadership: stop the ingestion replica that leads.
    {
      const leadingSince = (r: Replica) => {
        const file = join(session.resultsDir, `${session.stamp}.${r.name}.${r.incarnation}.log`);
        const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
        const hits = lines.filter((l) => l.includes('table tail relay: leading'));
        if (!hits.length) return 0;
        // pino writes `time` as ISO text here (observability's logger), epoch ms elsewhere.
        const time = (JSON.parse(hits[hits.length - 1]) as { time?: string | number }).time;
        return typeof time === 'number' ? time : Date.parse(time ?? '') || 0;
      };
      // The live replica that most recently logged taking the lead holds it.
      const leader = ingestion
        .filter((r) => r.child)
        .sort((x, y) => leadingSince(y) - leadingSince(x))[0];
      const other = ingestion.find((r) => r !== leader)!;
      log(`fault 3: stop ${leader.name}, the tail relay's leader; ${other.name} takes over`);
      const baseline = await lastSeq();
      const t = Date.now();
      await terminate(leader);
      let tookOver = NaN;
      while (Date.now() - t < 60_000) {
        if (leadingSince(other) >= t) {
          tookOver = Date.now() - t;
          break;
        }
        await sleep(100);
      }
      const published = await untilStreamGrows(t, baseline);
      const restart = await start(leader);
      faults.push({
        what: `tail relay leadership moved (${leader.name} stopped, ${other.name} leads)`,
        recovery: {
          'other replica leading after (ms)': tookOver,
          'events published again after (ms)': published,
          [`${leader.name} back after (ms)`]: restart,
        },
      });
      check(
        'relay leadership moved to the other replica',
        !Number.isNaN(tookOver),
        `${round(tookOver / 1000, 1)} s`,
      );
    }
    await sleep(PHASE_MS);

    // --- Rate limit per replica: 400 events for one hub as fast as possible, first through one
    // replica, then (another hub) through both.
    const probe = async (hub: (typeof hubs)[number], targets: Replica[]) => {
      let accepted = 0;
      let limited = 0;
      await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const r = targets[i % targets.length];
          const events = Array.from({ length: 10 }, () => ({
            id: randomUUID(),
            hub_id: hub.id,
            widget_id: hub.widgets[0],
            event_type: 'clicked',
            actor_type: 'user',
            occurred_at: new Date().toISOString(),
          }));
          const res = await fetch(`${base(r)}/api/v1/interaction-events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${hub.key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ events }),
          });
          const body = (await res.json()) as { results?: { id: string; status: string }[] };
          if (res.status === 429) limited += events.length;
          for (const result of body.results ?? []) {
            if (result.status === 'accepted') {
              accepted++;
              ackedEvents.add(result.id);
            }
          }
        }),
      );
      return { accepted, limited };
    };
    const one = await probe(hubs[6], [ingestion[0]]);
    const both = await probe(hubs[7], ingestion);
    log(`rate limit: one replica accepted ${one.accepted}/400, both ${both.accepted}/400`);
    check(
      'rate limit is per replica (burst 200 each)',
      one.accepted >= 200 && one.accepted < 300 && both.accepted >= 380,
      `one replica: ${one.accepted} accepted, ${one.limited} limited; both: ${both.accepted} accepted, ${both.limited} limited`,
    );

    // --- API-key cache across replicas: revoke through one, refused by the other at once?
    let revokedAfter = NaN;
    {
      const hub = hubs[7];
      const t = Date.now();
      await api(ingestion[0], 'POST', `/api/v1/hubs/${hub.id}/api-keys/${hub.keyId}/revoke`, {});
      while (Date.now() - t < 30_000) {
        const id = randomUUID();
        const res = await fetch(`${base(ingestion[1])}/api/v1/interaction-events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${hub.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            events: [
              {
                id,
                hub_id: hub.id,
                widget_id: hub.widgets[0],
                event_type: 'clicked',
                actor_type: 'user',
                occurred_at: new Date().toISOString(),
              },
            ],
          }),
        });
        const answer = (await res.json().catch(() => ({}))) as {
          results?: { id: string; status: string }[];
        };
        for (const result of answer.results ?? []) {
          if (result.status === 'accepted' || result.status === 'duplicate')
            ackedEvents.add(result.id);
        }
        if (res.status === 401) {
          revokedAfter = Date.now() - t;
          break;
        }
        await sleep(20);
      }
      check(
        'a key revoked on one replica is refused by the other',
        revokedAfter < 5_000,
        `${revokedAfter} ms`,
      );
    }

    // --- Stop the load and let everything drain.
    stopLoad = true;
    await load;
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    log(
      `load stopped after ${round(loadSeconds, 1)} s: ${ackedEvents.size} events and ${ackedAnnotations.size} annotations acknowledged`,
    );
    db = new pg.Client({ connectionString: session.dbUrl() });
    await db.connect();

    const ackedIds = [...ackedEvents];
    const stored = await db.query<{ n: number; distinct_ids: number; acked: number }>(
      `select count(*)::int as n, count(distinct id)::int as distinct_ids,
              count(*) filter (where id = any($1::uuid[]))::int as acked
         from ingestion.interaction_events`,
      [ackedIds],
    );
    const s = stored.rows[0];
    check(
      'every acknowledged event stored once (and nothing else)',
      s.acked === ackedIds.length && s.n === s.distinct_ids && s.n === ackedIds.length,
      `${s.acked}/${ackedIds.length} acknowledged found, ${s.n} rows`,
    );

    // The stream, read in full once the relay has caught up: each acknowledged id once.
    const inStream = new Map<string, number>();
    const t0 = Date.now();
    let streamMessages = 0;
    while (Date.now() - t0 < 120_000) {
      const info = await jsm.streams.info(eventsStream);
      if (info.state.messages >= ackedIds.length) {
        streamMessages = info.state.messages;
        break;
      }
      await sleep(500);
    }
    // An ordered consumer over the whole stream, up to its last sequence.
    const ordered = await jetstream(await session.nats()).consumers.get(eventsStream);
    const info = await jsm.streams.info(eventsStream);
    const messages = await ordered.consume({ max_messages: 2000 });
    for await (const m of messages) {
      const id = m.headers?.get('Nats-Msg-Id') ?? '';
      inStream.set(id, (inStream.get(id) ?? 0) + 1);
      if (m.info.streamSequence >= info.state.last_seq) break;
    }
    await messages.close();
    const missing = ackedIds.filter((id) => !inStream.has(id)).length;
    const twice = [...inStream.values()].filter((n) => n > 1).length;
    check(
      'every acknowledged event in the stream once',
      missing === 0 && twice === 0,
      `${streamMessages} messages; ${missing} acknowledged missing, ${twice} ids more than once (drain ${round((Date.now() - t0) / 1000, 1)} s)`,
    );

    if (feedbackPresent) {
      const annIds = [...ackedAnnotations];
      let found = 0;
      const t1 = Date.now();
      while (Date.now() - t1 < 120_000) {
        const r = await db.query<{ n: number }>(
          'select count(*)::int as n from feedback.annotations where id = any($1::uuid[])',
          [annIds],
        );
        found = r.rows[0].n;
        if (found === annIds.length) break;
        await sleep(500);
      }
      const total = (
        await db.query<{ n: number }>('select count(*)::int as n from feedback.annotations')
      ).rows[0].n;
      check(
        'every acknowledged annotation in feedback once',
        found === annIds.length && total === annIds.length,
        `${found}/${annIds.length} found, ${total} rows (drain ${round((Date.now() - t1) / 1000, 1)} s)`,
      );
    }
    await scrape();

    // Work sharing: deliveries handled per replica and consumer (sum over incarnations).
    const consumers = new Set(replicas.flatMap((r) => [...r.handled.keys()]));
    const sharing: string[] = [];
    for (const c of [...consumers].sort()) {
      const per = replicas
        .filter((r) => r.handled.has(c))
        .map((r) => ({
          name: r.name,
          handled: r.handled.get(c)!.reduce((a, b) => a + b, 0),
          duplicate: (r.duplicates.get(c) ?? []).reduce((a, b) => a + b, 0),
        }));
      sharing.push(
        `| ${c} | ${per.map((p) => `${p.name}: ${p.handled}${p.duplicate ? ` (+${p.duplicate} redelivered, inbox)` : ''}`).join(', ')} |`,
      );
    }
    const annotationConsumer = 'feedback__ingestion_annotations';
    if (feedbackPresent && consumers.has(annotationConsumer)) {
      const per = replicas
        .filter((r) => r.service === 'feedback')
        .map((r) => (r.handled.get(annotationConsumer) ?? []).reduce((a, b) => a + b, 0));
      const sum = per.reduce((a, b) => a + b, 0);
      check(
        'both feedback replicas handled annotations, none twice',
        per.every((n) => n > 0) && sum <= ackedAnnotations.size,
        `handled ${per.join(' + ')} = ${sum} for ${ackedAnnotations.size} annotations (a SIGKILLed incarnation's last 2 s of counts are not scraped)`,
      );
    }

    // --- Report.
    const lines = [
      `# Scale-out run ${session.stamp}${quick ? ' (quick)' : ''}`,
      '',
      `Machine: ${describeMachine()} (shared with other work while it ran).`,
      `NATS: ${cluster.nodes.length} × nats-server (${natsVersion()}), streams R3. Services, two replicas each: ${services.join(', ')}.`,
      `Load: ${round(loadSeconds, 1)} s, ${ackedEvents.size} events and ${ackedAnnotations.size} annotations acknowledged; ${refusals.resends} resends to the other replica; ${refusals.events} events refused.`,
      '',
      '## Start-up (ms, each replica in turn, migrations included)',
      '',
      ...Object.entries(startupMs).map(([k, v]) => `- ${k}: ${v}`),
      '',
      '## Faults and recovery',
      '',
      ...faults.flatMap((f) => [
        `- **${f.what}**`,
        ...Object.entries(f.recovery).map(([k, v]) => `  - ${k}: ${v}`),
      ]),
      `- API key revoked on ingestion-a, refused by ingestion-b after ${revokedAfter} ms`,
      '',
      '## Deliveries handled per replica',
      '',
      '| consumer | replicas |',
      '| --- | --- |',
      ...sharing,
      '',
      '## Checks',
      '',
      ...checks.map((c) => `- ${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`),
      '',
    ];
    const report = lines.join('\n');
    await writePretty(join(session.resultsDir, `${session.stamp}.md`), report);
    console.log(`\n${report}`);
    passed = checks.every((c) => c.ok);
    return passed;
  } finally {
    stopLoad = true;
    await scraper?.catch(() => undefined);
    await db?.end().catch(() => undefined);
    await session.close(passed).catch((e: unknown) => log(`clean-up: ${String(e)}`));
    const admin = new pg.Client({ connectionString: session.dbUrl('postgres') });
    await admin.connect();
    for (const role of roles)
      await admin.query(`drop role if exists "${role}"`).catch(() => undefined);
    await admin.end();
    await issuer.close();
    await cluster?.stop();
    cluster = undefined;
    rmSync(clusterDir, { recursive: true, force: true });
    rmSync(keyDir, { recursive: true, force: true });
  }
}

/**
 * A service's executable as its package exports it: `./main` where the package exports one
 * (feedback, ingestion), else its `main` (identity, governance point it at the entry point).
 */
function serviceEntry(service: string): string {
  const require = createRequire(join(repoRoot, 'package.json'));
  const name = `@ihf/${service}-service`;
  let entry: string;
  try {
    entry = require.resolve(`${name}/main`);
  } catch {
    entry = require.resolve(name);
  }
  if (!entry.endsWith('main.js')) throw new Error(`${name} exports no main entry (${entry})`);
  return entry;
}

/** The cluster's server version, for the report. */
function natsVersion(): string {
  const r = spawnSync(NATS_SERVER_BIN, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'nats-server (version unknown)';
}

main().then(
  (ok) => {
    console.log(
      ok ? '\nscale-out: every check passed' : '\nscale-out: FAILED (see the checks above)',
    );
    process.exit(ok ? 0 : 1);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
