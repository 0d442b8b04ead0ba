import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';
import {
  NatsSecurityConfigError,
  natsAuthenticator,
  natsSecurityOptions,
} from './nats-credentials.js';

describe('natsSecurityOptions', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ihf-creds-'));
    writeFileSync(join(dir, 'ca.pem'), 'x');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is anonymous and plain without any setting (local development as before), on the service inbox prefix', () => {
    expect(natsSecurityOptions('feedback', {})).toEqual({ inboxPrefix: '_INBOX_feedback' });
  });

  it('takes a user and password, an nkey seed, or a creds file: exactly one', () => {
    expect(natsAuthenticator({ NATS_USER: 'feedback', NATS_PASSWORD: 'p' })).toEqual(
      expect.any(Function),
    );
    const seed = new TextDecoder().decode(createUser().getSeed());
    expect(natsAuthenticator({ NATS_NKEY_SEED: seed })).toEqual(expect.any(Function));
    expect(() => natsAuthenticator({ NATS_USER: 'feedback' })).toThrow(/NATS_PASSWORD is not/);
    expect(() => natsAuthenticator({ NATS_PASSWORD: 'p' })).toThrow(/NATS_USER is not/);
    expect(() => natsAuthenticator({ NATS_NKEY_SEED: 'SAxyz' })).toThrow(NatsSecurityConfigError);
    expect(() =>
      natsAuthenticator({ NATS_NKEY_SEED: seed, NATS_USER: 'a', NATS_PASSWORD: 'b' }),
    ).toThrow(/only one/);
    expect(() => natsAuthenticator({ NATS_CREDS: join(dir, 'missing.creds') })).toThrow(
      /NATS_CREDS names a missing file/,
    );
  });

  it('turns TLS on with a CA, and mutual TLS with a certificate and its key', () => {
    const ca = join(dir, 'ca.pem');
    expect(natsSecurityOptions('x', { NATS_TLS_CA: ca }).tls).toEqual({ caFile: ca });
    expect(
      natsSecurityOptions('x', { NATS_TLS_CA: ca, NATS_TLS_CERT: ca, NATS_TLS_KEY: ca }).tls,
    ).toEqual({
      caFile: ca,
      certFile: ca,
      keyFile: ca,
    });
    expect(() => natsSecurityOptions('x', { NATS_TLS_KEY: ca })).toThrow(/go together/);
  });
});
