#!/usr/bin/env node
// Writes the AsyncAPI 3 document of every event subject to libs/contracts/asyncapi/asyncapi.json.
// Run after a build: npm run contracts:asyncapi. A test fails when the committed file differs
// from what the contracts produce, and validates it with @asyncapi/parser.
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { asyncApiDocument } = require('../dist/index.js');

const dir = join(__dirname, '..', 'asyncapi');
mkdirSync(dir, { recursive: true });
const doc = asyncApiDocument();
writeFileSync(join(dir, 'asyncapi.json'), JSON.stringify(doc, null, 2) + '\n');
console.log(`wrote ${Object.keys(doc.channels).length} channels to ${join(dir, 'asyncapi.json')}`);
