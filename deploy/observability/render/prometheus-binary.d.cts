/** ~/.cache/ihf-prometheus (or under XDG_CACHE_HOME). */
export function cacheDir(): string;
/** The path of Debian's `prometheus` or `promtool`, fetched into the cache on first use. */
export function prometheusBinary(
  name?: 'prometheus' | 'promtool',
  log?: (line: string) => void,
): string;
