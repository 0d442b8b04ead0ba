#!/usr/bin/env node
// Kubernetes manifests check, offline (CI has no cluster):
//  - every overlay under deploy/k8s/overlays renders with `kubectl kustomize` (without kubectl:
//    its resources gathered as written, patches not applied, with a note);
//  - every rendered document parses (no duplicate keys) and validates: built-in kinds against
//    kubernetes-models' schemas, custom resources (CloudNativePG Cluster and ScheduledBackup,
//    External Secrets' ExternalSecret) against their CRDs' openAPIV3Schema, vendored under
//    deploy/k8s/crds, with unknown fields refused (what `kubectl apply` does server-side with
//    strict field validation); a kind that is neither fails;
//  - every Secret a workload reads exists in the render (a Secret or an ExternalSecret's target)
//    unless listed below as made by something else, and every service under services/ has a
//    base whose Deployment migrates in an init container;
//  - every IHF Deployment can be scraped as deploy/observability/prometheus/prometheus-k8s.yml
//    does: pod label `app.kubernetes.io/part-of: ihf`, a container port named `http`, and a
//    NetworkPolicy admitting the `monitoring` namespace to it;
//  - deploy/nats/*.yaml (Helm values) parse, with only keys the official chart knows (its
//    defaults vendored under deploy/nats/upstream).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formats } from '@kubernetes-models/validate';
import { Ajv } from 'ajv';
import { parseAllDocuments, parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const k8s = join(root, 'deploy/k8s');
/** Secrets that are not in the render on purpose, and who makes them. */
const MADE_ELSEWHERE = {
  'ihf-postgres-superuser': 'CloudNativePG (enableSuperuserAccess)',
  'identity-jwt@dev': 'by hand in dev (deploy/README.md)',
};
const failures = [];
const fail = (where, why) => failures.push(`${where}: ${why}`);
let checked = 0;

// --- CRD schemas: apiVersion/kind -> ajv validator.
const ajv = new Ajv({ strict: false, allErrors: true });
// The formats kubernetes-models validates with, plus OpenAPI's numeric ones (ranges only).
for (const [name, format] of Object.entries(formats)) ajv.addFormat(name, format);
for (const name of ['int32', 'int64', 'float', 'double'])
  ajv.addFormat(name, { type: 'number', validate: () => true });
/** Kubernetes prunes or (strict validation) refuses fields a structural schema does not name. */
function closeObjects(schema) {
  if (!schema || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map(closeObjects);
  const out = {};
  for (const [k, v] of Object.entries(schema)) out[k] = closeObjects(v);
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !out['x-kubernetes-preserve-unknown-fields']
  ) {
    out.additionalProperties = false;
  }
  // `metadata` of a custom resource is validated by the API server, not the CRD.
  if (out.properties?.metadata?.type === 'object' && out.properties.apiVersion) {
    out.properties.metadata = { type: 'object' };
  }
  // int-or-string fields have no `type`; ajv needs nothing more.
  return out;
}
const crdValidators = new Map();
for (const file of readdirSync(join(k8s, 'crds')).filter((f) => f.endsWith('.yaml'))) {
  const crd = parse(readFileSync(join(k8s, 'crds', file), 'utf8'));
  for (const version of crd.spec.versions) {
    if (!version.served) continue;
    const key = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
    crdValidators.set(key, ajv.compile(closeObjects(version.schema.openAPIV3Schema)));
  }
}

// --- Built-in kinds through kubernetes-models (core group `v1`, others `group/version`).
async function builtInModel(apiVersion, kind) {
  const path = apiVersion.includes('/') ? apiVersion : `v1`;
  try {
    const mod = await import(`kubernetes-models/${path}/${kind}`);
    return mod[kind];
  } catch {
    return undefined;
  }
}

async function validateDoc(where, doc) {
  const { apiVersion, kind } = doc;
  const crd = crdValidators.get(`${apiVersion}/${kind}`);
  if (crd) {
    if (!crd(doc)) {
      const errors = crd.errors
        .slice(0, 5)
        .map(
          (e) =>
            `${e.instancePath || '/'} ${e.message}${e.params?.additionalProperty ? ` '${e.params.additionalProperty}'` : ''}`,
        );
      fail(where, `CRD schema: ${errors.join('; ')}`);
    }
    return;
  }
  // kustomize wraps long base64 values over lines; the API server's decoder skips newlines.
  if (kind === 'Secret' && doc.data) {
    doc = {
      ...doc,
      data: Object.fromEntries(
        Object.entries(doc.data).map(([k, v]) => [k, String(v).replace(/\s/g, '')]),
      ),
    };
  }
  const Model = await builtInModel(apiVersion, kind);
  if (!Model)
    return fail(
      where,
      `no schema for ${apiVersion} ${kind} (vendor its CRD under deploy/k8s/crds)`,
    );
  try {
    new Model(doc).validate();
  } catch (error) {
    fail(
      where,
      `schema: ${String(error.message ?? error)
        .split('\n')
        .slice(0, 6)
        .join(' ')}`,
    );
  }
}

/** Secret names a pod template reads (env, envFrom, volumes), with the container for context. */
function secretsRead(spec) {
  const names = new Set();
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const e of c.env ?? [])
      if (e.valueFrom?.secretKeyRef) names.add(e.valueFrom.secretKeyRef.name);
    for (const e of c.envFrom ?? []) if (e.secretRef) names.add(e.secretRef.name);
  }
  for (const v of spec.volumes ?? []) if (v.secret) names.add(v.secret.secretName);
  return names;
}

/**
 * Without kubectl: the overlay's resources gathered by following `resources` (and
 * `secretGenerator` names) as written, patches, namespace and images not applied. Less than a
 * render, enough to validate every document and the secrets they read.
 */
function gatherWithoutKustomize(dir) {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'));
  let text = '';
  for (const entry of k.resources ?? []) {
    const path = join(dir, entry);
    text += existsSync(join(path, 'kustomization.yaml'))
      ? gatherWithoutKustomize(path)
      : `\n---\n${readFileSync(path, 'utf8')}`;
  }
  for (const g of k.secretGenerator ?? []) {
    text += `\n---\n${JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: g.name } })}`;
  }
  return text;
}

/**
 * Why Prometheus in the `monitoring` namespace, configured as prometheus-k8s.yml (pods labelled
 * part-of ihf, their port named `http`), would not reach this Deployment's /metrics; undefined
 * when it would. With the namespace's default deny, some NetworkPolicy selecting the pod must
 * admit that namespace on that port.
 */
function unscrapable(deployment, docs) {
  const labels = deployment.spec.template.metadata?.labels ?? {};
  if (labels['app.kubernetes.io/part-of'] !== 'ihf') return 'pod template not labelled part-of ihf';
  const port = deployment.spec.template.spec.containers
    .flatMap((c) => c.ports ?? [])
    .find((p) => p.name === 'http');
  if (!port) return "no container port named 'http'";
  const selects = (np) =>
    Object.entries(np.spec.podSelector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const admits = (rule) =>
    (rule.from ?? []).some(
      (peer) =>
        peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring' &&
        !peer.podSelector,
    ) &&
    (!rule.ports || rule.ports.some((p) => p.port === 'http' || p.port === port.containerPort));
  const policies = docs.filter((d) => d.kind === 'NetworkPolicy' && selects(d));
  if (!policies.some((np) => (np.spec.ingress ?? []).some(admits)))
    return "no NetworkPolicy admits namespace 'monitoring' to port http";
  return undefined;
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const haveKubectl = !kubectl.error && kubectl.status === 0;
if (!haveKubectl) {
  console.log(
    'NOTE kubectl not found: overlays gathered without kustomize (patches not applied); ' +
      'install kubectl (`kubectl kustomize` needs no cluster) for the full render',
  );
}
const overlays = readdirSync(join(k8s, 'overlays')).sort();
const services = readdirSync(join(root, 'services'))
  .filter((s) => existsSync(join(root, 'services', s, 'package.json')))
  .sort();
for (const overlay of overlays) {
  const where = `deploy/k8s/overlays/${overlay}`;
  let rendered;
  if (haveKubectl) {
    const r = spawnSync('kubectl', ['kustomize', join(k8s, 'overlays', overlay)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) {
      fail(where, `kubectl kustomize failed: ${r.stderr.trim()}`);
      continue;
    }
    rendered = r.stdout;
  } else {
    rendered = gatherWithoutKustomize(join(k8s, 'overlays', overlay));
  }
  const docs = [];
  for (const d of parseAllDocuments(rendered, { uniqueKeys: true })) {
    if (d.errors.length) fail(where, `YAML: ${d.errors[0].message}`);
    else if (d.contents) docs.push(d.toJS());
  }
  const secrets = new Set();
  for (const doc of docs) {
    if (doc.kind === 'Secret') secrets.add(doc.metadata.name);
    if (doc.kind === 'ExternalSecret') secrets.add(doc.spec.target?.name ?? doc.metadata.name);
  }
  const deployments = new Map();
  for (const doc of docs) {
    const id = `${where} ${doc.kind}/${doc.metadata?.name}`;
    await validateDoc(id, doc);
    checked++;
    const pod = doc.spec?.template?.spec;
    if (!pod) continue;
    if (doc.kind === 'Deployment') deployments.set(doc.metadata.name, pod);
    for (const name of secretsRead(pod)) {
      if (!secrets.has(name) && !MADE_ELSEWHERE[name] && !MADE_ELSEWHERE[`${name}@${overlay}`]) {
        fail(
          id,
          `reads Secret '${name}', which the overlay neither creates nor names as made elsewhere`,
        );
      }
    }
  }
  for (const doc of docs.filter((d) => d.kind === 'Deployment')) {
    const why = unscrapable(doc, docs);
    if (why)
      fail(`${where} Deployment/${doc.metadata.name}`, `Prometheus cannot scrape it: ${why}`);
  }
  for (const service of services) {
    const pod = deployments.get(service);
    if (!pod) fail(where, `no Deployment for services/${service}`);
    else if (
      !(pod.initContainers ?? []).some((c) =>
        c.command?.join(' ').includes(`services/${service}/dist/migrate.js`),
      )
    ) {
      fail(where, `Deployment ${service} does not migrate in an init container`);
    }
  }
  console.log(`     ${where}: ${docs.length} documents ${haveKubectl ? 'rendered' : 'gathered'}`);
}

// NATS Helm values: parse, and every key known to the chart (its vendored defaults). Below
// `merge`/`patch` and maps the chart leaves empty (e.g. topologySpreadConstraints) keys are free.
const chartDefaults = parse(
  readFileSync(join(root, 'deploy/nats/upstream/nats-chart-values.yaml'), 'utf8'),
);
function unknownKeys(values, defaults, path = '') {
  const out = [];
  for (const [key, value] of Object.entries(values ?? {})) {
    const at = `${path}.${key}`;
    if (!defaults || typeof defaults !== 'object' || !(key in defaults)) out.push(at);
    else if (key === 'merge' || key === 'patch') continue;
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const known = defaults[key];
      if (known && typeof known === 'object' && Object.keys(known).length > 0) {
        out.push(...unknownKeys(value, known, at));
      }
    }
  }
  return out;
}
for (const file of readdirSync(join(root, 'deploy/nats')).filter((f) => /\.ya?ml$/.test(f))) {
  const where = `deploy/nats/${file}`;
  const docs = parseAllDocuments(readFileSync(join(root, 'deploy/nats', file), 'utf8'), {
    uniqueKeys: true,
  });
  const bad = docs.find((d) => d.errors.length);
  if (bad) {
    fail(where, bad.errors[0].message);
    continue;
  }
  const unknown = unknownKeys(docs[0]?.toJS(), chartDefaults);
  if (unknown.length) fail(where, `keys the NATS chart does not know: ${unknown.join(', ')}`);
  else {
    checked++;
    console.log(`OK   ${where}: every key known to the NATS chart`);
  }
}

if (failures.length) {
  for (const f of failures) console.error(`FAIL ${f}`);
  console.error(`${failures.length} problem(s) in ${checked} documents`);
  process.exit(1);
}
console.log(
  `OK   ${checked} documents valid in ${overlays.length} overlays (${crdValidators.size} CRD versions)`,
);
