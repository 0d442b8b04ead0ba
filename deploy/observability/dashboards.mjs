#!/usr/bin/env node
// Grafana dashboards as code: writes grafana/dashboards/*.json (the platform and one per
// service) from the panel lists below. Run `node deploy/observability/dashboards.mjs` after
// changing them and commit the output; tests/observability checks that the files are up to
// date and that every metric they name is exported by a running service.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const DATASOURCE = { type: 'prometheus', uid: 'prometheus' };

/** The services with a dashboard; a new service adds its name (and its own panels below). */
export const SERVICES = [
  'identity',
  'ingestion',
  'feedback',
  'governance',
  'deployment-outcomes',
  'agent-proposals',
  'notifications',
];

const q = (expr, legend) => ({ expr, legend });

/** A row of panels: title, then panels of [title, unit, queries]. */
function dashboard(uid, title, rows) {
  const panels = [];
  let y = 0;
  let id = 1;
  for (const [rowTitle, rowPanels] of rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: rowTitle,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
    });
    y += 1;
    rowPanels.forEach(([panelTitle, unit, queries], i) => {
      panels.push({
        id: id++,
        type: 'timeseries',
        title: panelTitle,
        datasource: DATASOURCE,
        fieldConfig: { defaults: { unit }, overrides: [] },
        options: {
          legend: { displayMode: 'list', placement: 'bottom' },
          tooltip: { mode: 'multi' },
        },
        gridPos: { h: 8, w: 8, x: (i % 3) * 8, y: y + Math.floor(i / 3) * 8 },
        targets: queries.map((t, j) => ({
          refId: String.fromCharCode(65 + j),
          datasource: DATASOURCE,
          expr: t.expr,
          legendFormat: t.legend,
        })),
      });
    });
    y += Math.ceil(rowPanels.length / 3) * 8;
  }
  return {
    uid,
    title,
    tags: ['ihf'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    templating: { list: [] },
    annotations: { list: [] },
    panels,
  };
}

// $__rate_interval: Grafana's window for rate() (at least four scrape intervals), so a panel
// follows the scrape interval of the Prometheus it reads instead of a fixed 5 m.
const rate = (m, sel = '', w = '$__rate_interval') => `rate(${m}${sel ? `{${sel}}` : ''}[${w}])`;
const p = (quantile, m, by, sel = '', w = '$__rate_interval') =>
  `histogram_quantile(${quantile}, sum by (${[...by, 'le'].join(', ')}) (rate(${m}_bucket${sel ? `{${sel}}` : ''}[${w}])))`;

const platform = dashboard('ihf-platform', 'IHF platform', [
  [
    'Requests (RED)',
    [
      [
        'Requests per second by service',
        'reqps',
        [
          q(
            `sum by (service) (${rate('http_server_request_duration_seconds_count')})`,
            '{{service}}',
          ),
        ],
      ],
      [
        'Share of 5xx answers by service',
        'percentunit',
        [
          q(
            `sum by (service) (${rate('http_server_request_duration_seconds_count', 'status_code=~"5.."')}) / sum by (service) (${rate('http_server_request_duration_seconds_count')})`,
            '{{service}}',
          ),
        ],
      ],
      [
        'p95 request duration by service',
        's',
        [q(p(0.95, 'http_server_request_duration_seconds', ['service']), '{{service}}')],
      ],
      [
        'Ready instances by service',
        'none',
        [q('sum by (service) (ihf_readiness_up)', '{{service}}')],
      ],
      [
        '503 refusals (dependency down, overload) by service',
        'reqps',
        [
          q(
            `sum by (service, code) (${rate('ihf_http_unavailable_refusals_total')})`,
            '{{service}} {{code}}',
          ),
        ],
      ],
      [
        'Database pool: requests waiting for a connection',
        'none',
        [q('max by (service) (ihf_db_pool_connections{state="waiting"})', '{{service}}')],
      ],
    ],
  ],
  [
    'Bus',
    [
      [
        'Outbox: oldest unpublished event',
        's',
        [q('max by (service) (ihf_outbox_oldest_pending_seconds)', '{{service}}')],
      ],
      [
        'Outbox backlog',
        'none',
        [q('max by (service) (ihf_outbox_pending_events)', '{{service}}')],
      ],
      [
        'Table tail: oldest unrelayed row',
        's',
        [q('max by (service, table) (ihf_table_tail_oldest_pending_seconds)', '{{table}}')],
      ],
      [
        'Consumer lag (messages not yet delivered)',
        'none',
        [q('max by (consumer) (ihf_consumer_pending_messages)', '{{consumer}}')],
      ],
      [
        'Dead letters per hour by consumer',
        'none',
        [
          q(
            'sum by (consumer) (increase(ihf_consumer_deliveries_total{outcome="dead_lettered"}[1h]))',
            '{{consumer}}',
          ),
        ],
      ],
      [
        'Redeliveries per second by consumer',
        'none',
        [q(`sum by (consumer) (${rate('ihf_consumer_redeliveries_total')})`, '{{consumer}}')],
      ],
      [
        'Read-model freshness: p95 event age when applied',
        's',
        [q(p(0.95, 'ihf_consumer_event_age_seconds', ['consumer']), '{{consumer}}')],
      ],
    ],
  ],
]);

function serviceDashboard(service) {
  const s = `service="${service}"`;
  const rows = [
    [
      'Requests per route (RED)',
      [
        [
          'Requests per second by route',
          'reqps',
          [
            q(
              `sum by (method, route) (${rate('http_server_request_duration_seconds_count', s)})`,
              '{{method}} {{route}}',
            ),
          ],
        ],
        [
          'Errors (5xx) per second by route',
          'reqps',
          [
            q(
              `sum by (method, route, status_code) (${rate('http_server_request_duration_seconds_count', `${s}, status_code=~"5.."`)})`,
              '{{method}} {{route}} {{status_code}}',
            ),
          ],
        ],
        [
          'p95 duration by route',
          's',
          [
            q(
              p(0.95, 'http_server_request_duration_seconds', ['method', 'route'], s),
              '{{method}} {{route}}',
            ),
          ],
        ],
        [
          '4xx answers per second by route',
          'reqps',
          [
            q(
              `sum by (method, route, status_code) (${rate('http_server_request_duration_seconds_count', `${s}, status_code=~"4.."`)})`,
              '{{method}} {{route}} {{status_code}}',
            ),
          ],
        ],
        [
          '503 refusals by code',
          'reqps',
          [q(`sum by (code) (${rate('ihf_http_unavailable_refusals_total', s)})`, '{{code}}')],
        ],
        [
          'Readiness checks (1 up)',
          'none',
          [q(`min by (check) (ihf_readiness_check_up{${s}})`, '{{check}}')],
        ],
      ],
    ],
    [
      'Process and database',
      [
        [
          'Database pool connections',
          'none',
          [q(`sum by (state) (ihf_db_pool_connections{${s}})`, '{{state}}')],
        ],
        ['Event-loop delay p99', 's', [q(`max(nodejs_eventloop_lag_p99_seconds{${s}})`, 'p99')]],
        [
          'Resident memory',
          'bytes',
          [q(`sum by (instance) (process_resident_memory_bytes{${s}})`, '{{instance}}')],
        ],
        [
          'CPU',
          'percentunit',
          [q(`sum by (instance) (${rate('process_cpu_seconds_total', s)})`, '{{instance}}')],
        ],
      ],
    ],
    [
      'Outbox and consumers',
      [
        [
          'Outbox events published per second',
          'none',
          [q(`sum(${rate('ihf_outbox_published_total', s)})`, 'published')],
        ],
        [
          'Outbox relay lag p95 (insert to ack)',
          's',
          [q(p(0.95, 'ihf_outbox_relay_lag_seconds', [], s), 'p95')],
        ],
        [
          'Outbox backlog and oldest event',
          'none',
          [
            q(`max(ihf_outbox_pending_events{${s}})`, 'pending'),
            q(`max(ihf_outbox_oldest_pending_seconds{${s}})`, 'oldest (s)'),
          ],
        ],
        [
          'Deliveries per second by consumer and outcome',
          'none',
          [
            q(
              `sum by (consumer, outcome) (${rate('ihf_consumer_deliveries_total', s)})`,
              '{{consumer}} {{outcome}}',
            ),
          ],
        ],
        [
          'Handler p95 by consumer',
          's',
          [q(p(0.95, 'ihf_consumer_handle_duration_seconds', ['consumer'], s), '{{consumer}}')],
        ],
        [
          'Read-model freshness: p95 event age when applied',
          's',
          [q(p(0.95, 'ihf_consumer_event_age_seconds', ['consumer'], s), '{{consumer}}')],
        ],
        [
          'Consumer lag and unacknowledged',
          'none',
          [
            q(`max by (consumer) (ihf_consumer_pending_messages{${s}})`, '{{consumer}} pending'),
            q(
              `max by (consumer) (ihf_consumer_ack_pending_messages{${s}})`,
              '{{consumer}} ack pending',
            ),
          ],
        ],
        [
          'Redeliveries per second',
          'none',
          [q(`sum by (consumer) (${rate('ihf_consumer_redeliveries_total', s)})`, '{{consumer}}')],
        ],
        [
          'Messages republished by the reconciler',
          'none',
          [q(`sum by (source) (increase(ihf_relay_reconciled_total{${s}}[1h]))`, '{{source}}')],
        ],
      ],
    ],
  ];
  if (service === 'ingestion')
    rows.push([
      'Reporting path',
      [
        [
          'Events per second by outcome',
          'none',
          [q(`sum by (outcome) (${rate('ihf_ingestion_events_total', s)})`, '{{outcome}}')],
        ],
        [
          'Group-commit size (rows) p50 / p95',
          'none',
          [
            q(p(0.5, 'ihf_ingestion_group_commit_rows', [], s), 'p50'),
            q(p(0.95, 'ihf_ingestion_group_commit_rows', [], s), 'p95'),
          ],
        ],
        [
          'Group-commit write and wait p95',
          's',
          [
            q(p(0.95, 'ihf_ingestion_group_commit_seconds', [], s), 'write'),
            q(p(0.95, 'ihf_ingestion_group_commit_wait_seconds', [], s), 'wait'),
          ],
        ],
        [
          'Overload refusals by reason',
          'none',
          [
            q(
              `sum by (reason) (${rate('ihf_ingestion_overload_refusals_total', s)})`,
              '{{reason}}',
            ),
          ],
        ],
        [
          'Rate-limit refusals (429)',
          'none',
          [q(`sum(${rate('ihf_ingestion_rate_limit_refusals_total', s)})`, '429')],
        ],
        [
          'Table tail: rows relayed per second',
          'none',
          [q(`sum by (table) (${rate('ihf_table_tail_published_total', s)})`, '{{table}}')],
        ],
        [
          'Table tail: oldest unrelayed row',
          's',
          [q(`max by (table) (ihf_table_tail_oldest_pending_seconds{${s}})`, '{{table}}')],
        ],
        [
          'Table tail: rows set aside',
          'none',
          [
            q(`max by (table) (ihf_table_tail_set_aside_rows{${s}})`, 'waiting {{table}}'),
            q(
              `sum by (table) (increase(ihf_table_tail_set_aside_total{${s}}[1h]))`,
              'new per hour {{table}}',
            ),
          ],
        ],
      ],
    ]);
  if (service === 'identity')
    rows.push([
      'Sign-in',
      [
        [
          'Login attempts by outcome',
          'none',
          [q(`sum by (outcome) (${rate('ihf_identity_login_attempts_total', s)})`, '{{outcome}}')],
        ],
      ],
    ]);
  return dashboard(`ihf-${service}`, `IHF ${service}`, rows);
}

/** Every dashboard, by file name. */
export function allDashboards() {
  return {
    'platform.json': platform,
    ...Object.fromEntries(SERVICES.map((s) => [`${s}.json`, serviceDashboard(s)])),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = join(here, 'grafana', 'dashboards');
  if (process.argv.includes('--check')) {
    // Compared as data: Prettier may lay the committed files out differently.
    const stale = Object.entries(allDashboards()).filter(([file, json]) => {
      const path = join(dir, file);
      return !existsSync(path) || !isDeepStrictEqual(JSON.parse(readFileSync(path, 'utf8')), json);
    });
    for (const [file] of stale)
      console.error(`stale: ${file} (run node deploy/observability/dashboards.mjs)`);
    process.exit(stale.length ? 1 : 0);
  }
  for (const [file, json] of Object.entries(allDashboards()))
    writeFileSync(join(dir, file), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote ${Object.keys(allDashboards()).length} dashboards to ${dir}`);
}
