// Where a prometheus (and promtool) binary is: Debian's prometheus package, downloaded and
// unpacked under ~/.cache/ihf-prometheus, never installed (the package would start a system
// service). Shared by the renderer and tests/observability (CommonJS, so that Jest can load it).
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, rmSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');

/** The cache .ci/run fills too (its observability block). */
function cacheDir() {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ihf-prometheus');
}

/**
 * The path of `prometheus` (or `promtool`): IHF_PROMETHEUS_BIN's folder for both when set, else
 * the cache, filled from Debian's package on first use (`apt-get download`, `dpkg-deb -x`).
 */
function prometheusBinary(name = 'prometheus', log = () => undefined) {
  if (process.env.IHF_PROMETHEUS_BIN)
    return name === 'prometheus'
      ? process.env.IHF_PROMETHEUS_BIN
      : join(process.env.IHF_PROMETHEUS_BIN, '..', name);
  const cache = cacheDir();
  const bin = join(cache, 'x', 'usr', 'bin', name);
  if (existsSync(bin)) return bin;
  log(`Fetching Debian's prometheus package into ${cache} (unpacked, not installed)...`);
  mkdirSync(cache, { recursive: true });
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { cwd: cache, encoding: 'utf8' });
    if (r.status !== 0)
      throw new Error(`${cmd} ${args.join(' ')}: ${(r.stderr || String(r.error)).trim()}`);
  };
  run('apt-get', ['download', '-qq', 'prometheus']);
  const deb = readdirSync(cache).find((f) => /^prometheus_.*\.deb$/.test(f));
  if (!deb) throw new Error(`apt-get download left no prometheus_*.deb in ${cache}`);
  run('dpkg-deb', ['-x', deb, 'x']);
  rmSync(join(cache, deb));
  return bin;
}

module.exports = { cacheDir, prometheusBinary };
