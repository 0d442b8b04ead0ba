import { parseArgs } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { assertNamespace } from '@ihf/contracts';
import { DEFAULT_NATS_URL, connectNats } from '../nats/nats-connection.js';
import { DeadLetterStore, type DeadLetter } from './dead-letters.js';

export const DLQ_USAGE = `Dead letters of the bus (IHF_DLQ), per consumer.

  npm run dlq -- list [<consumer>] [--limit N] [--json]
  npm run dlq -- show <seq>...
  npm run dlq -- replay <seq>... | replay --consumer <consumer> --all
  npm run dlq -- discard <seq>... | discard --consumer <consumer> --all

<seq> is a dead letter's sequence in IHF_DLQ (first column of list). replay republishes the
message on the subject it was consumed from (new Nats-Msg-Id) and removes it from the DLQ.
Environment: NATS_URL (default nats://127.0.0.1:4222), IHF_NATS_NAMESPACE (default none).`;

/** Where the CLI writes (a test captures it). */
export interface DlqOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Runs one `dlq` command; returns the process exit code (0 ok, 1 not found, 2 usage). */
export async function runDlqCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: DlqOutput = {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  },
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        consumer: { type: 'string' },
        all: { type: 'boolean' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${DLQ_USAGE}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  const { values } = parsed;
  if (values.help || !command) {
    io.out(DLQ_USAGE);
    return values.help ? 0 : 2;
  }
  const usage = (message: string) => {
    io.err(`${message}\n\n${DLQ_USAGE}`);
    return 2;
  };
  const seqs = rest.map(Number);
  if (command !== 'list' && seqs.some((s) => !Number.isSafeInteger(s) || s < 1))
    return usage(`sequences are positive whole numbers (got ${rest.join(' ')})`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1))
    return usage(`--limit must be a positive whole number`);
  if (!['list', 'show', 'replay', 'discard'].includes(command))
    return usage(`unknown command '${command}'`);
  if (command === 'list' && rest.length > 1) return usage('list takes at most one consumer');
  if (command !== 'list') {
    if (values.all ? !values.consumer || rest.length > 0 : seqs.length === 0)
      return usage(`${command} needs sequences, or --consumer <consumer> --all`);
  }

  const namespace = env.IHF_NATS_NAMESPACE ?? '';
  assertNamespace(namespace);
  const nc = await connectNats(env.NATS_URL || DEFAULT_NATS_URL, 'ihf-dlq');
  try {
    const store = new DeadLetterStore(await jetstreamManager(nc), jetstream(nc), namespace);
    if (command === 'list') {
      const letters = await store.list({ consumer: rest[0] ?? values.consumer, limit });
      if (values.json) io.out(JSON.stringify(letters.map(summary), null, 2));
      else {
        io.out(['seq', 'time', 'consumer', 'subject', 'deliveries', 'reason'].join('\t'));
        for (const l of letters) {
          io.out(
            [
              l.seq,
              l.time.toISOString(),
              l.consumer,
              l.subject,
              l.deliveries,
              l.reason.slice(0, 160),
            ].join('\t'),
          );
        }
        io.out(`${letters.length} dead letter(s)`);
      }
      return 0;
    }
    const targets = values.all
      ? (await store.list({ consumer: values.consumer })).map((l) => l.seq)
      : seqs;
    let missing = 0;
    for (const seq of targets) {
      if (command === 'show') {
        const letter = await store.get(seq);
        if (!letter) missing++;
        io.out(letter ? JSON.stringify(details(letter), null, 2) : `${seq}: not found`);
      } else if (command === 'replay') {
        const result = await store.replay(seq);
        if (!result) missing++;
        io.out(
          result
            ? `${seq}: replayed on ${result.subject} as ${result.msgId}${result.published ? '' : ' (already replayed)'}`
            : `${seq}: not found`,
        );
      } else {
        const removed = await store.discard(seq);
        if (!removed) missing++;
        io.out(`${seq}: ${removed ? 'discarded' : 'not found'}`);
      }
    }
    if (values.all) io.out(`${targets.length} dead letter(s) ${DONE[command]}`);
    return missing ? 1 : 0;
  } finally {
    await nc.close();
  }
}

const DONE: Record<string, string> = { show: 'shown', replay: 'replayed', discard: 'discarded' };

function summary(l: DeadLetter) {
  return {
    seq: l.seq,
    time: l.time.toISOString(),
    consumer: l.consumer,
    subject: l.subject,
    stream: l.stream,
    deliveries: l.deliveries,
    event_id: l.eventId,
    reason: l.reason,
  };
}

function details(l: DeadLetter) {
  let payload: unknown = l.payload;
  try {
    payload = JSON.parse(l.payload);
  } catch {
    // Shown as the raw text it arrived as.
  }
  return { ...summary(l), headers: l.headers, payload };
}
