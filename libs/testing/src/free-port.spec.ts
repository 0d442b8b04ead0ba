import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { freePort } from './free-port.js';

const ephemeralLow = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
);

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('freePort', () => {
  it('hands out ports below the kernel ephemeral range, never the same twice', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 50; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(11_000);
      expect(port).toBeLessThan(ephemeralLow);
    }
    // Each one can be bound: nobody listens on it.
    for (const port of ports.slice(0, 5)) (await listen(port)).close();
  });

  it('keeps to one 1,000-port slice per Jest worker', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    const slices = new Set(ports.map((p) => Math.floor((p - 11_000) / 1_000)));
    expect(slices.size).toBe(1);
    expect(new Set(ports).size).toBe(ports.length);
  });
});
