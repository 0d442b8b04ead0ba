import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busPermissions } from '@ihf/contracts';
import {
  NatsSecurityConfigError,
  connectNats,
  credentialEnv,
  natsAuthorizationConfig,
  natsSecurityOptions,
  newCredential,
  type BusCredential,
} from '@ihf/messaging';
import { startNatsServer, type NatsServerProcess } from '@ihf/testing';

/**
 * TLS to NATS by configuration: a throwaway CA made with openssl, a server that requires TLS
 * and a client certificate (mutual TLS) and the generated users, and services connecting with
 * NATS_TLS_CA / NATS_TLS_CERT / NATS_TLS_KEY.
 */
describe('TLS to NATS from the environment', () => {
  let dir: string;
  let server: NatsServerProcess;
  const credentials = new Map<string, BusCredential>();
  const file = (name: string) => join(dir, name);

  function openssl(...args: string[]): void {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  }

  /** A key and a certificate for `cn`, signed by the test CA. */
  function issue(name: string, cn: string, extensions: string): void {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-subj',
      `/CN=${cn}`,
      '-out',
      `${name}.csr`,
    );
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      `${name}.pem`,
      '-extfile',
      `${name}.ext`,
    );
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ihf-nats-tls-'));
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-subj',
      '/CN=ihf-test-ca',
      '-days',
      '1',
      '-out',
      'ca.pem',
    );
    issue(
      'server',
      'nats',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    );
    issue('client', 'feedback', 'extendedKeyUsage=clientAuth\n');
    // A CA the server does not know, for a client it must turn away.
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'other-ca.key',
      '-subj',
      '/CN=other-ca',
      '-days',
      '1',
      '-out',
      'other-ca.pem',
    );

    const permissions = busPermissions('');
    for (const p of permissions) credentials.set(p.user, newCredential(p.user, 'password'));
    server = await startNatsServer({
      config: [
        'tls {',
        `  cert_file: ${JSON.stringify(file('server.pem'))}`,
        `  key_file: ${JSON.stringify(file('server.key'))}`,
        `  ca_file: ${JSON.stringify(file('ca.pem'))}`,
        '  verify: true',
        '  timeout: 5',
        '}',
        natsAuthorizationConfig(permissions, credentials),
      ].join('\n'),
      scheme: 'tls',
    });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string>) => ({
    ...credentialEnv(credentials.get('feedback')!),
    ...extra,
  });

  it('connects with the CA, a client certificate and the service credentials, and talks to JetStream', async () => {
    const nc = await connectNats(
      server.url,
      'feedback',
      natsSecurityOptions(
        'feedback',
        env({
          NATS_TLS_CA: file('ca.pem'),
          NATS_TLS_CERT: file('client.pem'),
          NATS_TLS_KEY: file('client.key'),
        }),
      ),
    );
    try {
      const reply = await nc.request('$JS.API.INFO', '', { timeout: 5_000 });
      expect(reply.json<{ type: string }>().type).toBe(
        'io.nats.jetstream.api.v1.account_info_response',
      );
    } finally {
      await nc.close();
    }
  });

  it('refuses a server it cannot verify, and a client without a certificate', async () => {
    await expect(
      connectNats(
        server.url,
        'feedback',
        natsSecurityOptions(
          'feedback',
          env({
            NATS_TLS_CA: file('other-ca.pem'),
            NATS_TLS_CERT: file('client.pem'),
            NATS_TLS_KEY: file('client.key'),
          }),
        ),
      ),
    ).rejects.toThrow(/not reachable/);
    await expect(
      connectNats(
        server.url,
        'feedback',
        natsSecurityOptions('feedback', env({ NATS_TLS_CA: file('ca.pem') })),
      ),
    ).rejects.toThrow(/not reachable/);
  });

  it('says which setting is wrong before connecting', () => {
    expect(() => natsSecurityOptions('feedback', { NATS_TLS_CA: file('missing.pem') })).toThrow(
      /NATS_TLS_CA names a missing file/,
    );
    expect(() => natsSecurityOptions('feedback', { NATS_TLS_CERT: file('client.pem') })).toThrow(
      NatsSecurityConfigError,
    );
  });
});
