import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '@ihf/platform';
import { IdentityConfig } from '../config/identity.config.js';
import { DEV_KEY_FILE, loadKeyRing } from './key-ring.js';

const silent = pino({ level: 'silent' });

describe('loadKeyRing', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ihf-key-ring-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeKey = (name: string): string => {
    const file = join(dir, name);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    return file;
  };

  it('generates a development key once, private to its owner, and reuses it', () => {
    const config = loadConfig(IdentityConfig, { IHF_JWT_DEV_KEY_DIR: join(dir, 'keys') });
    const first = loadKeyRing(config, silent);
    expect(statSync(join(dir, 'keys', DEV_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadKeyRing(config, silent).current.kid).toBe(first.current.kid);
  });

  it('refuses to run without a key in production', () => {
    const config = loadConfig(IdentityConfig, { NODE_ENV: 'production' });
    expect(() => loadKeyRing(config, silent)).toThrow(/IHF_JWT_PRIVATE_KEY_FILE is required/);
  });

  it('signs with the configured key and publishes the additional ones after it', () => {
    const current = writeKey('current.pem');
    const previous = writeKey('previous.pem');
    const next = writeKey('next.pem');
    const ring = loadKeyRing(
      loadConfig(IdentityConfig, {
        IHF_JWT_PRIVATE_KEY_FILE: current,
        IHF_JWT_ADDITIONAL_KEY_FILES: `${previous}, ${next},${current}`,
      }),
      silent,
    );
    const kids = ring.jwks().keys.map((k) => k.kid);
    expect(kids).toHaveLength(3);
    expect(kids[0]).toBe(ring.current.kid);
    expect(JSON.stringify(ring.jwks())).not.toMatch(/"d"|"p"|"q"/);
  });

  it('names the variable of a missing key file', () => {
    const config = loadConfig(IdentityConfig, { IHF_JWT_PRIVATE_KEY_FILE: join(dir, 'nope.pem') });
    expect(() => loadKeyRing(config, silent)).toThrow(/IHF_JWT_PRIVATE_KEY_FILE: cannot read/);
  });
});
