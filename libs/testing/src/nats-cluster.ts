import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** The nats-server binary: `IHF_NATS_SERVER_BIN`, else Debian's. */
export const NATS_SERVER_BIN = process.env.IHF_NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/** One server of a {@link NatsCluster}. */
export interface NatsClusterNode {
  readonly name: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly monitorPort: number;
  readonly storeDir: string;
  process?: ChildProcess;
}

/** A JetStream cluster of nats-server processes on loopback, for tests and the scale-out run. */
export interface NatsCluster {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL, comma-separated (what NATS_URL takes). */
  readonly url: string;
  /** SIGKILLs node `i` (no clean shutdown: what a crashed machine does). */
  kill(i: number): Promise<void>;
  /** Starts node `i` again on its ports and store directory; resolves once it accepts clients. */
  start(i: number): Promise<void>;
  /** Waits until JetStream reports a meta leader on every running node (`/healthz`). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the store directories. */
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => done(true));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `size` nats-server processes (JetStream, file storage under a temp directory, loopback
 * ports) routed into one cluster. nats-server 2.9 needs a server name and a cluster name for
 * clustered JetStream; every node lists every route, its own included (the server skips it).
 */
export async function startNatsCluster(
  options: { size?: number; name?: string; dir?: string } = {},
): Promise<NatsCluster> {
  if (!existsSync(NATS_SERVER_BIN)) {
    throw new Error(
      `No nats-server at ${NATS_SERVER_BIN}: install it (Debian: apt-get install nats-server) or set IHF_NATS_SERVER_BIN`,
    );
  }
  const size = options.size ?? 3;
  const clusterName = options.name ?? 'ihf-test';
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ihf-nats-cluster-'));
  const nodes: NatsClusterNode[] = [];
  for (let i = 0; i < size; i++) {
    const storeDir = join(dir, `n${i + 1}`);
    mkdirSync(storeDir, { recursive: true });
    nodes.push({
      name: `${clusterName}-n${i + 1}`,
      clientPort: await freePort(),
      clusterPort: await freePort(),
      monitorPort: await freePort(),
      storeDir,
    });
  }
  const routes = nodes.map((n) => `nats://127.0.0.1:${n.clusterPort}`).join(',');

  async function start(i: number): Promise<void> {
    const n = nodes[i];
    const child = spawn(
      NATS_SERVER_BIN,
      [
        ...[
          '-n',
          n.name,
          '-a',
          '127.0.0.1',
          '-p',
          String(n.clientPort),
          '-m',
          String(n.monitorPort),
        ],
        ...['-js', '-sd', n.storeDir],
        ...['--cluster_name', clusterName, '--cluster', `nats://127.0.0.1:${n.clusterPort}`],
        ...['--routes', routes],
      ],
      { stdio: 'ignore' },
    );
    n.process = child;
    const deadline = Date.now() + 15_000;
    while (!(await accepts(n.clientPort))) {
      if (child.exitCode !== null)
        throw new Error(`nats-server ${n.name} exited (${child.exitCode})`);
      if (Date.now() > deadline) throw new Error(`nats-server ${n.name} did not start in 15 s`);
      await sleep(100);
    }
  }

  async function kill(i: number): Promise<void> {
    const child = nodes[i].process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    nodes[i].process = undefined;
  }

  async function waitHealthy(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = nodes.filter((n) => n.process);
      const states = await Promise.all(
        running.map((n) =>
          fetch(`http://127.0.0.1:${n.monitorPort}/healthz`)
            .then((r) => r.ok)
            .catch(() => false),
        ),
      );
      if (states.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error(`NATS cluster not healthy after ${timeoutMs} ms`);
      await sleep(250);
    }
  }

  const cluster: NatsCluster = {
    nodes,
    url: nodes.map((n) => `nats://127.0.0.1:${n.clientPort}`).join(','),
    kill,
    start,
    waitHealthy,
    async stop() {
      for (let i = 0; i < nodes.length; i++) await kill(i);
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(nodes.map((_, i) => start(i)));
    await waitHealthy();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
