import { parseArgs as parseNodeArgs, type ParseArgsOptionsConfig } from 'node:util';

/** Command-line flags of a benchmark: `--name` and `--name=value`. */
export interface Args {
  readonly argv: readonly string[];
  flag(name: string): boolean;
  option(name: string): string | undefined;
}

/** What a benchmark accepts: its boolean flags, its `--name=value` options, a usage text. */
export interface ArgsSpec {
  readonly usage: string;
  readonly flags?: readonly string[];
  readonly options?: readonly string[];
}

/**
 * The flags of a benchmark, checked against what it accepts (Node's `util.parseArgs`, strict):
 * `--help` prints the usage and exits 0; an unknown or malformed flag prints why and the usage
 * and exits 2, instead of starting a run of many minutes that ignores it.
 */
export function parseArgs(spec: ArgsSpec, argv: readonly string[] = process.argv.slice(2)): Args {
  const options: ParseArgsOptionsConfig = { help: { type: 'boolean', short: 'h' } };
  for (const name of spec.flags ?? []) options[name] = { type: 'boolean' };
  for (const name of spec.options ?? []) options[name] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseNodeArgs({ args: [...argv], options, strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | undefined>;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${spec.usage.trim()}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${spec.usage.trim()}\n`);
    process.exit(0);
  }
  return {
    argv,
    flag: (name) => values[name] === true,
    option: (name) => {
      const value = values[name];
      return typeof value === 'string' ? value : undefined;
    },
  };
}
