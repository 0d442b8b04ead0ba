import { runBusAuthCli } from './bus-auth-cli.js';

// `npm run bus:auth -- [--out DIR] [--auth password|nkey] [--namespace NS] | --helm FILE`.
try {
  process.exitCode = runBusAuthCli(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bus:auth: ${(error as Error)?.message ?? String(error)}\n`);
  process.exitCode = 1;
}
