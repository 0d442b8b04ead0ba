#!/usr/bin/env node
// Architecture boundary check (run in CI):
//  - a service imports libs only through their public entry point (`@ihf/<lib>`), never a
//    lib's internals and never another service (services talk over NATS only);
//  - a lib never imports a service, nor another lib's internals;
//  - a benchmark (bench/) reaches what it measures only through package entry points
//    (`@ihf/<lib>`, `@ihf/<service>-service`): no relative import into libs/ or services/, no
//    deep `@ihf/…/…` import, no `dist` path (those broke bench:feedback when a file moved).
// A subpath a package declares in its `exports` map is an entry point too.
// Relative imports are resolved to see which package they land in.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const importRe =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function* tsFiles(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (/\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) yield p;
  }
}

/** 'libs/messaging' or 'services/feedback' for a path inside the repo, else null. */
function packageOf(path) {
  const parts = relative(root, path).split(sep);
  return (parts[0] === 'libs' || parts[0] === 'services') && parts.length > 1
    ? `${parts[0]}/${parts[1]}`
    : null;
}

/**
 * Subpaths a workspace package declares in its `exports` map (`@ihf/sdk-web/annotate`): public
 * entry points like its root, so importing them is not reaching into internals.
 */
const publicSubpaths = new Set();
for (const top of ['libs', 'services']) {
  let dirs;
  try {
    dirs = readdirSync(join(root, top));
  } catch {
    continue;
  }
  for (const d of dirs) {
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(root, top, d, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    for (const key of Object.keys(manifest.exports ?? {}))
      if (key.startsWith('./') && !key.includes('*'))
        publicSubpaths.add(`${manifest.name}/${key.slice(2)}`);
  }
}
const isInternal = (spec) => /^@ihf\/[^/]+\/.+/.test(spec) && !publicSubpaths.has(spec);

const violations = [];
for (const top of ['libs', 'services']) {
  let dirs;
  try {
    dirs = readdirSync(join(root, top));
  } catch {
    continue;
  }
  for (const d of dirs) {
    const pkgDir = join(root, top, d);
    if (!statSync(pkgDir).isDirectory()) continue;
    const own = `${top}/${d}`;
    for (const file of tsFiles(pkgDir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
        const where = `${relative(root, file)}: '${spec}'`;
        if (isInternal(spec))
          violations.push(`${where} reaches into a lib's internals; import '@ihf/<lib>'`);
        if (/^@ihf\/.+-service$/.test(spec)) violations.push(`${where} imports a service package`);
        if (spec.startsWith('.')) {
          const target = packageOf(resolve(dirname(file), spec));
          if (target && target !== own) {
            violations.push(
              target.startsWith('services/')
                ? `${where} imports ${target}: services talk over NATS only`
                : `${where} reaches into ${target} by path; import '@ihf/${target.split('/')[1]}'`,
            );
          }
          if (!target && own && resolve(dirname(file), spec).startsWith(root)) {
            violations.push(`${where} leaves its package`);
          }
        }
      }
    }
  }
}

function* benchFiles(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'results') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* benchFiles(p);
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts')) yield p;
  }
}

// `dist` as a path segment inside a string literal ('…/dist/…', 'dist', `${root}/dist`).
const distPathRe = /['"`](?:[^'"`\n]*\/)?dist(?:\/[^'"`\n]*)?['"`]/g;
for (const file of benchFiles(join(root, 'bench'))) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    const where = `${relative(root, file)}: '${spec}'`;
    if (isInternal(spec))
      violations.push(`${where} reaches into a package's internals; import '@ihf/<package>'`);
    if (spec.startsWith('.') && packageOf(resolve(dirname(file), spec)))
      violations.push(`${where} reaches into a package by path; import its entry point`);
  }
  for (const m of text.matchAll(distPathRe))
    violations.push(`${relative(root, file)}: ${m[0]} names a dist path; use the package's entry`);
}

if (violations.length) {
  console.error(`Boundary check failed (${violations.length}):\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.log(
  'Boundary check: OK (services import libs only through @ihf/<lib>; libs import no service; benchmarks use entry points)',
);
