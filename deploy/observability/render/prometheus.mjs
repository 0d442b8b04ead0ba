// A real Prometheus server for the renderer: Debian's `prometheus` binary, extracted from the
// package (never installed: the package would start a system service), on a free loopback port,
// scraping the given targets with a short interval into a throw-away TSDB.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { prometheusBinary } from './prometheus-binary.cjs';

/** A started Prometheus: its URL, PID, query helpers and stop(). */
export async function startPrometheus({ bin, port, targets, scrapeSeconds, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'ihf-render-prometheus-'));
  // Each target keeps the `service` label its /metrics page already carries; job "ihf" as in
  // prometheus.yml, so the dashboards and alerts read the same series as in production.
  writeFileSync(
    join(dir, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: `${scrapeSeconds}s`, evaluation_interval: `${scrapeSeconds}s` },
      scrape_configs: [
        { job_name: 'ihf', metrics_path: '/metrics', static_configs: [{ targets }] },
      ],
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    bin,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1d',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready at ${url} after 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  log(
    `Prometheus ${url} (pid ${child.pid}; ${version}), scraping ${targets.length} targets every ${scrapeSeconds} s`,
  );
  return {
    url,
    pid: child.pid,
    version,
    stop,
    /** Prometheus' own view of its targets: [instance, health, lastError]. */
    async targets() {
      const body = await api(url, '/api/v1/targets', {});
      return body.data.activeTargets.map((t) => [t.labels.instance, t.health, t.lastError]);
    },
    /** /api/v1/query_range; the matrix (each series' metric labels and [time, "value"] pairs). */
    async queryRange(query, start, end, step) {
      const body = await api(url, '/api/v1/query_range', {
        query,
        start: String(start),
        end: String(end),
        step: String(step),
      });
      return body.data.result;
    },
  };
}

async function api(url, path, params) {
  const response = await fetch(`${url}${path}?${new URLSearchParams(params)}`, {
    signal: AbortSignal.timeout(30_000),
  });
  const body = await response.json();
  if (body.status !== 'success') throw new Error(`${path} ${params.query ?? ''}: ${body.error}`);
  return body;
}
