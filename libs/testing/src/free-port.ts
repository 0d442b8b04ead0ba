import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Free loopback ports for processes a test starts (services, NATS nodes).
 *
 * Asking the kernel for port 0 and handing the number on is racy: between our close and the
 * child's bind, anything else that binds port 0 or opens an outgoing connection can be given
 * the same port from the kernel's ephemeral range. That happened in CI: a service of another
 * Jest worker took identity's port while identity was still starting, and the system test's
 * logins reached the wrong service (404). So ports come from below the ephemeral range, where
 * the kernel never hands out a port by itself, in a slice of their own per Jest worker, and
 * never twice from one process; each is checked free by binding it.
 */

const SLICE = 1_000;
/** Fallback when /proc does not say (Linux's default range starts at 32768). */
const DEFAULT_EPHEMERAL_LOW = 32_768;
/** Above the Fetch standard's last "bad port" (10080), which fetch() and browsers refuse. */
const LOWEST = 11_000;

/** Ports this process handed out or found taken. */
const handedOut = new Set<number>();

function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    return low !== undefined && Number.isInteger(low) ? low : DEFAULT_EPHEMERAL_LOW;
  } catch {
    return DEFAULT_EPHEMERAL_LOW;
  }
}

/** This process's slice: one per Jest worker, a random one outside Jest (demo, benchmarks). */
function slice(): { readonly from: number; readonly to: number } | undefined {
  const top = ephemeralLow();
  const slices = Math.floor((top - LOWEST) / SLICE);
  if (slices < 1) return undefined;
  const worker = Number(process.env.JEST_WORKER_ID);
  const index =
    Number.isInteger(worker) && worker > 0
      ? (worker - 1) % slices
      : Math.floor(Math.random() * slices);
  const from = LOWEST + index * SLICE;
  return { from, to: from + SLICE };
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** This process's slice (undefined when the ephemeral range leaves no room below it). */
const OWN = slice();

/** A loopback TCP port nobody listens on, not handed out before by this process. */
export async function freePort(): Promise<number> {
  if (OWN) {
    const size = OWN.to - OWN.from;
    const start = Math.floor(Math.random() * size);
    for (let i = 0; i < size; i++) {
      const port = OWN.from + ((start + i) % size);
      if (handedOut.has(port)) continue;
      // Claimed before the check, so that concurrent calls never pick the same port.
      handedOut.add(port);
      if (await bindable(port)) return port;
    }
  }
  // Range exhausted or unknown: the kernel's choice (racy, see above).
  const port = await kernelPort();
  handedOut.add(port);
  return port;
}
