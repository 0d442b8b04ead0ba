// A connection storm, run as its own process (`node connection-storm.ts`) so that the clients
// do not share the service's event loop: opens `count` new connections at once, each sending
// one reporting request (one new event) with `Connection: close`, and prints one JSON line per
// request with its status (0: no answer before `timeoutMs`) and how long the answer took.
// Input: one JSON argument { port, key, hubId, widgetId, count, timeoutMs }.
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

interface Input {
  port: number;
  key: string;
  hubId: string;
  widgetId: string;
  count: number;
  timeoutMs: number;
}

export interface StormAnswer {
  id: string;
  status: number;
  ms: number;
  retryAfter: string | null;
  reason: string | null;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;

function one(): Promise<StormAnswer> {
  const id = randomUUID();
  const body = JSON.stringify({
    id,
    hub_id: input.hubId,
    widget_id: input.widgetId,
    event_type: 'clicked',
    occurred_at: new Date().toISOString(),
  });
  const request =
    'POST /api/v1/interaction-events HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n' +
    `authorization: Bearer ${input.key}\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect(input.port, '127.0.0.1');
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', payload = ''] = text.split('\r\n\r\n', 2);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const retryAfter = /\r\nretry-after: *([^\r]*)/i.exec(head)?.[1] ?? null;
      const reason = /"reason":"([a-z_]+)"/.exec(payload)?.[1] ?? null;
      resolve({ id, status, ms: performance.now() - started, retryAfter, reason });
    };
    const timer = setTimeout(finish, input.timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server closes after its answer (Connection: close); an error ends the request too.
    socket.on('close', finish);
    socket.on('error', () => undefined);
  });
}

void Promise.all(Array.from({ length: input.count }, one)).then((answers) =>
  process.stdout.write(answers.map((a) => JSON.stringify(a)).join('\n') + '\n'),
);
