// Renders a provisioned Grafana dashboard JSON without Grafana: each panel's PromQL targets run
// against Prometheus' HTTP API over the run's time range, the results are drawn with uPlot
// (time series) or as a number (stat, gauge) in a page laid out by the panels' gridPos, and
// headless Chromium takes the screenshot.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const UPLOT_JS = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
const UPLOT_CSS = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');

/** Page geometry: Grafana's 24-column grid, 30 px per grid row, 1400 px wide. */
export const PAGE_WIDTH = 1400;
const PAD = 12;
const ROW_PX = 30;
const HEADER_PX = 64;

/**
 * Grafana's variables, as Grafana would set them for this range: $__interval is the step,
 * $__rate_interval max($__interval + scrape interval, 4 x scrape interval), $__range the range;
 * dashboard variables (e.g. $service) from `vars`.
 */
export function substitute(expr, { stepSeconds, scrapeSeconds, rangeSeconds, vars = {} }) {
  const rateInterval = Math.max(stepSeconds + scrapeSeconds, 4 * scrapeSeconds);
  const builtIn = {
    __rate_interval: `${rateInterval}s`,
    __interval: `${stepSeconds}s`,
    __range: `${Math.round(rangeSeconds)}s`,
    __interval_ms: String(stepSeconds * 1000),
  };
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name) => builtIn[name] ?? vars[name] ?? whole);
}

/** Grafana's legendFormat: {{label}} from the series' labels, else the label set. */
function legendOf(format, metric) {
  if (format)
    return (
      format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label) => metric[label] ?? '').trim() || format
    );
  const labels = Object.entries(metric)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}="${v}"`);
  return `${metric.__name__ ?? ''}{${labels.join(', ')}}`;
}

/**
 * Runs every target of every panel; resolves with the panels to draw and, per target, how many
 * series came back and how many of them have at least one value.
 */
export async function queryDashboard(dashboard, prometheus, range) {
  const { start, end, stepSeconds } = range;
  const xs = [];
  for (let t = start; t <= end; t += stepSeconds) xs.push(t);
  const panels = [];
  const findings = [];
  for (const panel of dashboard.panels) {
    if (panel.type === 'row') {
      panels.push({ type: 'row', title: panel.title, gridPos: panel.gridPos });
      continue;
    }
    const series = [];
    const targets = [];
    for (const target of panel.targets ?? []) {
      const expr = substitute(target.expr, { ...range, rangeSeconds: end - start });
      let result = [];
      let error;
      try {
        result = await prometheus.queryRange(expr, start, end, stepSeconds);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      let withValues = 0;
      for (const s of result) {
        const values = xs.map(() => null);
        for (const [t, v] of s.values) {
          const i = Math.round((t - start) / stepSeconds);
          const n = Number(v);
          if (i >= 0 && i < xs.length && Number.isFinite(n)) values[i] = n;
        }
        if (values.some((v) => v !== null)) withValues++;
        series.push({ name: legendOf(target.legendFormat, s.metric), values });
      }
      targets.push({ refId: target.refId, expr, series: result.length, withValues, error });
    }
    panels.push({
      type: panel.type,
      title: panel.title,
      unit: panel.fieldConfig?.defaults?.unit ?? 'none',
      gridPos: panel.gridPos,
      series,
    });
    findings.push({ panel: panel.title, targets });
  }
  return { xs, panels, findings };
}

/** The HTML page of one dashboard (uPlot inlined: the page loads nothing from anywhere). */
export function dashboardPage({ title, source, caption, xs, panels }) {
  const bottom = Math.max(...panels.map((p) => p.gridPos.y + p.gridPos.h));
  const height = HEADER_PX + bottom * ROW_PX + PAD * 2;
  const data = JSON.stringify({ xs, panels, pad: PAD, rowPx: ROW_PX, headerPx: HEADER_PX });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${UPLOT_CSS}
body{margin:0;background:#111217;color:#ccccdc;font:12px/1.3 Inter,Helvetica,Arial,sans-serif;width:${PAGE_WIDTH}px;height:${height}px;position:relative;overflow:hidden}
header{position:absolute;left:${PAD}px;right:${PAD}px;top:8px;height:${HEADER_PX - 12}px}
header h1{margin:0;font-size:18px;font-weight:500;color:#fff}
header p{margin:4px 0 0;font-size:11.5px;color:#9fa3b0}
.row{position:absolute;font-size:14px;font-weight:500;color:#fff;padding-top:6px}
.panel{position:absolute;background:#181b1f;border:1px solid #2a2d33;border-radius:3px;box-sizing:border-box;overflow:hidden}
.panel h2{margin:0;padding:5px 8px 0;font-size:12.5px;font-weight:500;color:#e0e0ea;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.nodata{position:absolute;inset:26px 0 0 0;display:flex;align-items:center;justify-content:center;color:#8e8e9a;font-size:14px}
.stat{position:absolute;inset:26px 0 0 0;display:flex;align-items:center;justify-content:center;font-size:34px;color:#73bf69}
.legend{position:absolute;left:8px;right:8px;bottom:4px;height:40px;overflow:hidden;font-size:10.5px;line-height:13px;color:#c7c7d1}
.legend span{display:inline-block;margin-right:10px;white-space:nowrap}
.legend i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
.u-axis{color:#9fa3b0}
</style></head><body>
<header><h1>${esc(title)}</h1><p>${esc(caption)}</p><p>${esc(source)}</p></header>
<script>${UPLOT_JS}</script>
<script>
const {xs, panels, pad, rowPx, headerPx} = ${data};
const colPx = (${PAGE_WIDTH} - 2 * pad) / 24;
const COLORS = ['#73bf69','#f2cc0c','#5794f2','#ff780a','#f2495c','#b877d9','#8ab8ff','#fade2a','#ff9830','#96d98d','#ca95e5','#ffb357','#c4162a','#1f60c4','#37872d'];
const num = (v, d = 2) => Math.abs(v) >= 1000 ? (v / 1000).toFixed(1) + 'k' : +v.toFixed(d) + '';
const FORMAT = {
  s: (v) => v === 0 ? '0' : Math.abs(v) < 1 ? num(v * 1000, 1) + ' ms' : num(v) + ' s',
  reqps: (v) => num(v) + ' req/s',
  percentunit: (v) => num(v * 100, 1) + '%',
  bytes: (v) => Math.abs(v) >= 1048576 ? num(v / 1048576, 0) + ' MiB' : Math.abs(v) >= 1024 ? num(v / 1024, 0) + ' KiB' : v + ' B',
  none: (v) => num(v),
};
const fmt = (unit) => FORMAT[unit] ?? FORMAT.none;
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'})[c]);
for (const p of panels) {
  const box = document.createElement('div');
  const g = p.gridPos;
  Object.assign(box.style, {
    left: pad + g.x * colPx + 'px', top: headerPx + pad + g.y * rowPx + 'px',
    width: g.w * colPx - 6 + 'px', height: g.h * rowPx - 6 + 'px',
  });
  document.body.appendChild(box);
  if (p.type === 'row') { box.className = 'row'; box.textContent = p.title; continue; }
  box.className = 'panel';
  box.innerHTML = '<h2>' + esc(p.title) + '</h2>';
  const live = p.series.filter((s) => s.values.some((v) => v !== null));
  if (live.length === 0) { box.insertAdjacentHTML('beforeend', '<div class="nodata">No data</div>'); continue; }
  if (p.type === 'stat' || p.type === 'gauge') {
    const last = live[0].values.filter((v) => v !== null).at(-1);
    box.insertAdjacentHTML('beforeend', '<div class="stat">' + esc(fmt(p.unit)(last)) + '</div>');
    continue;
  }
  const legend = document.createElement('div');
  legend.className = 'legend';
  legend.innerHTML = live.map((s, i) => '<span><i style="background:' + COLORS[i % COLORS.length] + '"></i>' + esc(s.name) + '</span>').join('');
  box.appendChild(legend);
  const width = g.w * colPx - 8, height = g.h * rowPx - 6 - 26 - 46;
  const format = fmt(p.unit);
  new uPlot({
    width, height, legend: { show: false }, cursor: { show: false },
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
    scales: { x: { time: true }, y: { range: (u, min, max) => [Math.min(0, min), max > min ? max * 1.1 : max + 1] } },
    axes: [
      { stroke: '#9fa3b0', grid: { stroke: 'rgba(255,255,255,0.07)' }, ticks: { show: false }, font: '10.5px Helvetica', values: (u, splits) => splits.map((t) => new Date(t * 1e3).toISOString().slice(11, 19)) },
      { stroke: '#9fa3b0', grid: { stroke: 'rgba(255,255,255,0.07)' }, ticks: { show: false }, font: '10.5px Helvetica', size: 62, values: (u, splits) => splits.map(format) },
    ],
    series: [{}, ...live.map((s, i) => ({ label: s.name, stroke: COLORS[i % COLORS.length], width: 1.5, points: { show: false }, spanGaps: false }))],
  }, [xs, ...live.map((s) => s.values)], (() => { const d = document.createElement('div'); d.style.marginTop = '4px'; box.insertBefore(d, legend); return d; })());
}
window.rendered = true;
</script></body></html>`;
}

function esc(s) {
  return String(s).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
  );
}

/** Screenshots the page at PAGE_WIDTH into `file` (PNG). */
export async function screenshot(context, html, file) {
  const page = await context.newPage();
  try {
    await page.setViewportSize({ width: PAGE_WIDTH, height: 800 });
    await page.setContent(html, { waitUntil: 'load' });
    // globalThis is the page's window there.
    await page.waitForFunction(() => globalThis.rendered === true, undefined, { timeout: 30_000 });
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await page.close();
  }
}
