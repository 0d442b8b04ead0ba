/** Command-line flags of a benchmark: `--name` and `--name=value`. */
export interface Args {
  readonly argv: readonly string[];
  flag(name: string): boolean;
  option(name: string): string | undefined;
}

export function parseArgs(argv: readonly string[] = process.argv.slice(2)): Args {
  return {
    argv,
    flag: (name) => argv.includes(`--${name}`),
    option: (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3),
  };
}
