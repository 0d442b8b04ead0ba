#!/usr/bin/env node
// ihf-sdk-check: opens a page in headless Chromium and lists every widget element that breaks
// the envelope emission contract (exit 1 when there is any, 2 when the check could not run).
//
//   npx ihf-sdk-check <url> [--contract contract.json] [--json] [--settle ms]
//                           [--wait-for css] [--require-widgets] [--chromium /path/to/chromium]
//
// Needs playwright-core (an optional peer dependency) and a Chromium: /usr/bin/chromium by
// default (Debian: apt-get install chromium), or --chromium / IHF_CHROMIUM.
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const PAGE_SCRIPT = join(PACKAGE_DIR, 'dist/browser/conformance.iife.js');

/** Chromium flags for a quiet, reproducible headless run on a server. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function usage(message) {
  if (message) console.error(`ihf-sdk-check: ${message}`);
  console.error(
    'usage: ihf-sdk-check <url> [--contract file.json] [--json] [--settle ms] [--wait-for css]\n' +
      '                     [--require-widgets] [--chromium path]',
  );
  return 2;
}

export function parseArgs(argv) {
  const options = { settle: 500, json: false, requireWidgets: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--json') options.json = true;
    else if (arg === '--require-widgets') options.requireWidgets = true;
    else if (arg === '--contract') options.contract = value();
    else if (arg === '--settle') options.settle = Number(value());
    else if (arg === '--wait-for') options.waitFor = value();
    else if (arg === '--chromium') options.chromium = value();
    else if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else if (options.url) throw new Error('only one url');
    else options.url = arg;
  }
  return options;
}

/** Launches Chromium with a fresh profile; returns { context, close }. */
export async function launchChromium(executablePath) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new Error('playwright-core is not installed (npm install -D playwright-core)');
  }
  const profile = mkdtempSync(join(tmpdir(), 'ihf-sdk-check-'));
  const context = await chromium.launchPersistentContext(profile, {
    headless: true,
    executablePath: executablePath ?? process.env.IHF_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens `url` and returns { report, warnings } (the SDK's dev-mode console warnings). */
export async function checkUrl(url, options = {}) {
  const script = readFileSync(PAGE_SCRIPT, 'utf8');
  const contract = options.contract
    ? JSON.parse(readFileSync(options.contract, 'utf8'))
    : undefined;
  const browser = await launchChromium(options.chromium);
  try {
    const page = await browser.context.newPage();
    const warnings = [];
    page.on('console', (message) => {
      if (message.type() === 'warning' && message.text().startsWith('[ihf-sdk]')) {
        warnings.push(message.text());
      }
    });
    const response = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    if (response && !response.ok()) throw new Error(`${url} answered ${response.status()}`);
    if (options.waitFor) await page.waitForSelector(options.waitFor, { timeout: 15_000 });
    await page.waitForTimeout(options.settle ?? 500);
    // Runtime.evaluate is not subject to the page's Content-Security-Policy, unlike a <script>.
    await page.evaluate(script);
    const report = await page.evaluate(
      (c) => globalThis.__ihfConformance(c ?? undefined),
      contract ?? null,
    );
    return { report, warnings };
  } finally {
    await browser.close();
  }
}

export function formatReport(url, report, options = {}) {
  const lines = [];
  for (const element of report.elements) {
    lines.push(`✗ ${element.path}${element.widget_id ? ` (widget ${element.widget_id})` : ''}`);
    for (const v of element.violations) lines.push(`    ${v.reason}: ${v.message}`);
  }
  if (report.widgets === 0) {
    lines.push(`${options.requireWidgets ? '✗' : '!'} no widget elements found on ${url}`);
  }
  lines.push(
    report.violations === 0
      ? `✓ ${report.widgets} widget element(s) on ${url} conform to envelope contract ${report.contract_version}`
      : `${report.violations} violation(s) in ${report.elements.length} of ${report.widgets} widget element(s) on ${url} (envelope contract ${report.contract_version})`,
  );
  return lines.join('\n');
}

export async function main(argv) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    return usage(error.message);
  }
  if (options.help) {
    usage();
    return 0;
  }
  if (!options.url) return usage('a url is required');
  let result;
  try {
    result = await checkUrl(options.url, options);
  } catch (error) {
    console.error(`ihf-sdk-check: ${error.message}`);
    return 2;
  }
  const { report } = result;
  const failed = report.violations > 0 || (options.requireWidgets && report.widgets === 0);
  if (options.json) {
    console.log(
      JSON.stringify({ url: options.url, ...report, warnings: result.warnings }, null, 2),
    );
  } else console.log(formatReport(options.url, report, options));
  return failed ? 1 : 0;
}

// Run as a command (also through node_modules/.bin's symlink), not when imported by a test.
if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  process.exitCode = await main(process.argv.slice(2));
}
