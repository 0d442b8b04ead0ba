#!/usr/bin/env node
// Writes one JSON Schema per event subject to libs/contracts/schemas/<subject>.json, for
// consumers that are not written in TypeScript (agents). Run after a build:
//   npm run contracts:schemas
// A unit test fails when the committed files differ from what the contracts produce.
const { writeFileSync, mkdirSync, readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { allEventJsonSchemas } = require('../dist/index.js');

const dir = join(__dirname, '..', 'schemas');
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) if (f.endsWith('.json')) rmSync(join(dir, f));
const schemas = allEventJsonSchemas();
for (const [subject, schema] of Object.entries(schemas)) {
  writeFileSync(join(dir, `${subject}.json`), JSON.stringify(schema, null, 2) + '\n');
}
console.log(`wrote ${Object.keys(schemas).length} schemas to ${dir}`);
