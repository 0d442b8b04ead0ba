import { runDlqCli } from './dlq-cli.js';

// `npm run dlq -- <list|show|replay|discard> …` (see DLQ_USAGE).
runDlqCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dlq: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
