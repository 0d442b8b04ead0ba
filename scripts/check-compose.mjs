#!/usr/bin/env node
// Deployment files check (run in CI, which has no container engine):
//  - docker-compose.yml through `docker-compose config -q` (Debian's v1, apt package
//    `docker-compose`), else `docker compose config -q` (the v2 plugin); one is required;
//  - docker-compose.yml parsed with PyYAML (apt `python3-yaml`, which docker-compose pulls in),
//    rejecting duplicate keys, which the tool would otherwise let win silently. Without PyYAML
//    this part is skipped with a note. The Kubernetes manifests are rendered and validated by
//    scripts/check-manifests.mjs (`npm run check:manifests`);
//  - no deployed CORS default of `*` (compose and deploy/k8s).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const composeFile = 'docker-compose.yml';
const k8sDir = 'deploy/k8s';
/** file -> { ok: [what was checked], errors: [why it failed] }, printed as one line per file. */
const report = new Map();
const entry = (file) => report.get(file) ?? report.set(file, { ok: [], errors: [] }).get(file);
const ok = (file, what) => entry(file).ok.push(what);
const fail = (file, why) => entry(file).errors.push(why);
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
const works = (cmd, args) => {
  const r = run(cmd, args);
  return !r.error && r.status === 0 ? r.stdout.trim().split('\n')[0] : null;
};

// --- Compose: the tool's own validation (schema, interpolation, anchors, depends_on targets).
const composeTools = [
  ['docker-compose', []],
  ['docker', ['compose']],
];
const tool = composeTools.find(([cmd, pre]) => works(cmd, [...pre, 'version']));
if (!existsSync(join(root, composeFile))) {
  fail(composeFile, 'missing');
} else if (!tool) {
  fail(
    composeFile,
    "neither `docker-compose` nor `docker compose` is available; install Debian's v1 with " +
      '`apt-get update && apt-get install -y --no-install-recommends docker-compose` ' +
      '(without --no-install-recommends it pulls in the whole Docker engine)',
  );
} else {
  const [cmd, pre] = tool;
  const label = [cmd, ...pre].join(' ');
  const r = run(cmd, [...pre, '-f', composeFile, 'config', '-q']);
  if (r.error || r.status !== 0) {
    fail(
      composeFile,
      `${label} config -q failed:\n${(r.stderr || r.stdout || String(r.error)).trim()}`,
    );
  } else {
    ok(composeFile, `${label} config -q (${works(cmd, [...pre, 'version'])})`);
    // Published ports on loopback only, under both NATS profiles (the resolved config).
    const exposed = [];
    for (const profile of ['nats-single', 'nats-cluster']) {
      const resolved = spawnSync(cmd, [...pre, '-f', composeFile, 'config'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, COMPOSE_PROFILES: profile },
      });
      const services = resolved.status === 0 ? parse(resolved.stdout).services : {};
      for (const [name, service] of Object.entries(services)) {
        for (const port of service.ports ?? []) {
          const hostIp = typeof port === 'object' ? port.host_ip : String(port).split(':')[0];
          if (hostIp !== '127.0.0.1') exposed.push(`${profile}/${name} ${JSON.stringify(port)}`);
        }
      }
      if (resolved.status !== 0 || Object.keys(services).length === 0) {
        fail(composeFile, `${label} config with COMPOSE_PROFILES=${profile} failed`);
      }
    }
    if (exposed.length)
      fail(composeFile, `ports published beyond 127.0.0.1: ${exposed.join(', ')}`);
    else ok(composeFile, 'every published port on 127.0.0.1 (both NATS profiles)');
  }
}

// --- YAML parsing with PyYAML, one JSON line per file.
const pyParse = String.raw`
import json, sys, yaml

class Loader(yaml.SafeLoader):
    pass

def mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        if key_node.tag == 'tag:yaml.org,2002:merge':  # '<<', resolved by construct_mapping
            continue
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, 'duplicate key %r' % (key,), key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)

Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)

for path in sys.argv[1:]:
    try:
        with open(path) as f:
            docs = [d for d in yaml.load_all(f, Loader=Loader) if d is not None]
        out = {'docs': [
            {'apiVersion': d.get('apiVersion'), 'kind': d.get('kind'),
             'name': (d.get('metadata') or {}).get('name')} if isinstance(d, dict) else {}
            for d in docs]}
    except Exception as e:
        out = {'error': str(e)}
    print(json.dumps(out))
`;

function* yamlFiles(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* yamlFiles(p);
    else if (/\.ya?ml$/.test(name)) yield relative(root, p);
  }
}

// Rendered and validated by check-manifests.mjs; only the CORS check below reads them here.
const k8sFiles = [...yamlFiles(join(root, k8sDir))].filter((f) => !f.includes('/crds/'));
if (!works('python3', ['-c', 'import yaml; print(yaml.__version__)'])) {
  console.log(
    `NOTE YAML parsing skipped: python3 with PyYAML not found (apt-get install python3-yaml)`,
  );
} else {
  const files = [composeFile].filter((f) => existsSync(join(root, f)));
  const r = run('python3', ['-c', pyParse, ...files]);
  if (r.error || r.status !== 0) {
    fail('python3', (r.stderr || String(r.error)).trim());
  } else {
    const results = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const names = new Map();
    files.forEach((file, i) => {
      const { error, docs } = results[i];
      if (error) return fail(file, `YAML: ${error}`);
      if (file === composeFile) return ok(file, 'PyYAML parse, no duplicate keys');
      const problems = [];
      docs.forEach((d, n) => {
        if (!d.apiVersion || !d.kind || !d.name) {
          problems.push(`document ${n + 1} lacks apiVersion, kind or metadata.name`);
          return;
        }
        const id = `${d.kind}/${d.name}`;
        if (names.has(id)) problems.push(`${id} is also defined in ${names.get(id)}`);
        names.set(id, file);
      });
      if (docs.length === 0) problems.push('no documents');
      if (problems.length) return fail(file, problems.join('; '));
      ok(file, `PyYAML parse: ${docs.map((d) => `${d.kind}/${d.name}`).join(', ')}`);
    });
  }
}

// --- CORS: `*` is for `npm start` only; deployed defaults name their origins (README).
for (const file of [composeFile, ...k8sFiles].filter((f) => existsSync(join(root, f)))) {
  const text = readFileSync(join(root, file), 'utf8');
  const values = [...text.matchAll(/CORS_ALLOWED_ORIGINS:\s*(.*)$/gm)].map((m) => m[1].trim());
  const wildcard = values.filter((v) => /^['"]?(\$\{[A-Z_]+:-)?\*/.test(v));
  if (wildcard.length) fail(file, `CORS_ALLOWED_ORIGINS defaults to '*' (${wildcard.join(', ')})`);
  else if (values.length) ok(file, 'CORS origins named');
}

let failed = false;
for (const [file, { ok: checks, errors }] of report) {
  if (errors.length) {
    failed = true;
    console.error(`FAIL ${file}: ${errors.join('; ')}`);
  } else console.log(`OK   ${file}: ${checks.join('; ')}`);
}
process.exit(failed ? 1 : 0);
