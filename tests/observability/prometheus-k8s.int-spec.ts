// deploy/observability/prometheus/prometheus-k8s.yml, the scrape config for Prometheus in a
// Kubernetes cluster, run by a real Prometheus. Debian's build has no Kubernetes service
// discovery (its promtool and prometheus refuse `kubernetes_sd_configs`), so the job's discovery
// is swapped for a file list of the targets the pod role would produce, with the same
// `__meta_kubernetes_*` labels; the relabelling, the rule file and the scrapes are Prometheus'
// own. It keeps exactly the IHF pods' `http` ports, labels them as the dashboards and alerts
// expect, and the services' own `service` label survives.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { prometheusBinary } from '../../deploy/observability/render/prometheus-binary.cjs';

const PROMETHEUS_DIR = join(__dirname, '..', '..', 'deploy', 'observability', 'prometheus');
const SERVICES = [
  'identity',
  'ingestion',
  'feedback',
  'governance',
  'deployment-outcomes',
  'agent-proposals',
  'notifications',
];

interface ScrapeConfig {
  job_name: string;
  kubernetes_sd_configs?: { role: string; namespaces?: { names: string[] } }[];
  file_sd_configs?: { files: string[]; refresh_interval: string }[];
  [key: string]: unknown;
}
interface Target {
  labels: Record<string, string>;
  discoveredLabels: Record<string, string>;
  health: string;
}

/** The labels Kubernetes' pod role gives one container port of one pod. */
function podTarget(
  address: string,
  pod: { name: string; namespace: string; phase: string; labels: Record<string, string> },
  port: { name?: string; container: string; init?: boolean },
): Record<string, string> {
  const meta: Record<string, string> = {
    __address__: address,
    __meta_kubernetes_namespace: pod.namespace,
    __meta_kubernetes_pod_name: pod.name,
    __meta_kubernetes_pod_phase: pod.phase,
    __meta_kubernetes_pod_ready: pod.phase === 'Running' ? 'true' : 'false',
    __meta_kubernetes_pod_container_name: port.container,
    __meta_kubernetes_pod_container_init: String(port.init ?? false),
  };
  if (port.name) meta.__meta_kubernetes_pod_container_port_name = port.name;
  for (const [key, value] of Object.entries(pod.labels))
    meta[`__meta_kubernetes_pod_label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`] = value;
  return meta;
}

describe('deploy/observability: the Kubernetes scrape config in a real Prometheus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ihf-prometheus-k8s-'));
  const servers: Server[] = [];
  let prometheus: ChildProcess | undefined;
  let url = '';
  let job: ScrapeConfig;

  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${url}${path}`)).json()) as { status: string; data: T };
    expect(body.status).toBe('success');
    return body.data;
  };

  beforeAll(async () => {
    const config = parse(readFileSync(join(PROMETHEUS_DIR, 'prometheus-k8s.yml'), 'utf8')) as {
      global: Record<string, string>;
      scrape_configs: ScrapeConfig[];
    };
    job = config.scrape_configs.find((c) => c.job_name === 'ihf')!;
    // One /metrics page per service pod, labelled by the process as a real service does.
    const addresses: string[] = [];
    for (const service of SERVICES) {
      const server = createServer((_, res) => {
        res.setHeader('content-type', 'text/plain; version=0.0.4');
        res.end(
          `# HELP ihf_readiness_up 1 when ready\n# TYPE ihf_readiness_up gauge\nihf_readiness_up{service="${service}"} 1\n`,
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      addresses.push(`127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
    const ihf = (service: string) => ({
      'app.kubernetes.io/name': service,
      'app.kubernetes.io/part-of': 'ihf',
    });
    const targets = SERVICES.flatMap((service, i) => {
      const pod = {
        name: `${service}-5d8f7-x${i}`,
        namespace: 'ihf',
        phase: 'Running',
        labels: ihf(service),
      };
      return [
        podTarget(addresses[i], pod, { name: 'http', container: service }),
        // The migrate init container has no port: the pod role still lists it.
        podTarget('10.0.0.1', pod, { container: 'migrate', init: true }),
      ];
    });
    targets.push(
      // Not to be scraped: a pod still pending, Postgres (part of IHF, no `http` port), another app.
      podTarget(
        '10.0.0.2:3001',
        {
          name: 'ingestion-5d8f7-new',
          namespace: 'ihf',
          phase: 'Pending',
          labels: ihf('ingestion'),
        },
        { name: 'http', container: 'ingestion' },
      ),
      podTarget(
        '10.0.0.3:5432',
        {
          name: 'ihf-postgres-1',
          namespace: 'ihf',
          phase: 'Running',
          labels: { 'app.kubernetes.io/part-of': 'ihf', 'cnpg.io/cluster': 'ihf-postgres' },
        },
        { name: 'postgresql', container: 'postgres' },
      ),
      podTarget(
        '10.0.0.4:8080',
        { name: 'other-1', namespace: 'ihf', phase: 'Running', labels: { app: 'other' } },
        { name: 'http', container: 'other' },
      ),
    );
    writeFileSync(
      join(dir, 'pods.json'),
      JSON.stringify(
        targets.map(({ __address__, ...labels }) => ({ targets: [__address__], labels })),
      ),
    );
    const { kubernetes_sd_configs: _discovery, ...rest } = job;
    const local = {
      ...config,
      global: { ...config.global, scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        { ...rest, file_sd_configs: [{ files: [join(dir, 'pods.json')], refresh_interval: '1s' }] },
      ],
    };
    writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(local));
    copyFileSync(join(PROMETHEUS_DIR, 'alerts.yml'), join(dir, 'alerts.yml'));

    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    url = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      prometheusBinary('prometheus'),
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; ; i++) {
      const ready = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (i > 120) throw new Error('prometheus did not get ready in 30 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    for (const server of servers) server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('discovers pods with the Kubernetes pod role in the IHF namespaces', () => {
    expect(job.kubernetes_sd_configs).toEqual([
      { role: 'pod', namespaces: { names: ['ihf', 'ihf-dev'] } },
    ]);
    // What promtool checks besides the discovery, on the config Prometheus runs here.
    const check = spawnSync(
      prometheusBinary('promtool'),
      ['check', 'config', join(dir, 'prometheus.yml')],
      {
        encoding: 'utf8',
      },
    );
    expect(check.stdout + check.stderr).toContain('SUCCESS');
    expect(check.status).toBe(0);
  });

  it('keeps each IHF pod’s http port and labels it by service, namespace and pod', async () => {
    let active: Target[] = [];
    let dropped: Target[] = [];
    for (
      let i = 0;
      i < 40 && active.filter((t) => t.health === 'up').length < SERVICES.length;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 500));
      ({ activeTargets: active, droppedTargets: dropped } = await api<{
        activeTargets: Target[];
        droppedTargets: Target[];
      }>('/api/v1/targets'));
    }
    expect(
      active
        .map((t): Record<string, string> => ({ ...t.labels, health: t.health }))
        .sort((a, b) => a.service.localeCompare(b.service)),
    ).toEqual(
      [...SERVICES].sort().map((service) => ({
        job: 'ihf',
        service,
        namespace: 'ihf',
        pod: `${service}-5d8f7-x${SERVICES.indexOf(service)}`,
        instance: `${service}-5d8f7-x${SERVICES.indexOf(service)}`,
        health: 'up',
      })),
    );
    // Seven init containers, the pending pod, Postgres and the other app.
    expect(dropped.map((t) => t.discoveredLabels.__meta_kubernetes_pod_name).sort()).toEqual(
      [
        ...SERVICES.map((s, i) => `${s}-5d8f7-x${i}`),
        'ihf-postgres-1',
        'ingestion-5d8f7-new',
        'other-1',
      ].sort(),
    );
  });

  it('keeps the services’ own `service` label on their series, and labels `up` with it', async () => {
    type Series = { metric: Record<string, string> }[];
    let series: Series = [];
    for (let i = 0; i < 20 && series.length < SERVICES.length; i++) {
      series = await api<{ result: Series }>('/api/v1/query?query=ihf_readiness_up').then(
        (d) => d.result,
      );
      if (series.length < SERVICES.length) await new Promise((r) => setTimeout(r, 500));
    }
    expect(series.map((s) => s.metric.service).sort()).toEqual([...SERVICES].sort());
    for (const s of series) {
      expect(s.metric).not.toHaveProperty('exported_service');
      expect(s.metric.pod).toMatch(new RegExp(`^${s.metric.service}-`));
    }
    const up = await api<{ result: Series }>('/api/v1/query?query=up{job="ihf"}').then(
      (d) => d.result,
    );
    expect(up.map((s) => s.metric.service).sort()).toEqual([...SERVICES].sort());
  });

  it('loads the alert rules beside it', async () => {
    const { groups } = await api<{ groups: { rules: { name: string; health: string }[] }[] }>(
      '/api/v1/rules',
    );
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name)).toEqual(
      expect.arrayContaining(['IhfInstanceDown', 'IhfInstanceNotReady']),
    );
    expect(rules.length).toBeGreaterThan(10);
  });
});
