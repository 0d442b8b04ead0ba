import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { busPermissions } from '@ihf/contracts';
import {
  helmPasswordVariable,
  helmValues,
  natsAuthorizationConfig,
  newCredential,
  type BusCredential,
} from './bus-auth-config.js';

describe('bus authorization config', () => {
  it('writes every generated user with its credential and permissions', () => {
    const permissions = busPermissions('');
    const credentials = new Map<string, BusCredential>(
      permissions.map((p, i) => [p.user, newCredential(p.user, i % 2 ? 'nkey' : 'password')]),
    );
    const config = natsAuthorizationConfig(permissions, credentials);
    for (const c of credentials.values()) {
      expect(config).toContain(
        c.kind === 'password'
          ? `user: "${c.user}", password: "${c.password}"`
          : `nkey: "${c.publicKey}"`,
      );
      if (c.kind === 'nkey') expect(config).not.toContain(c.seed);
    }
    expect(config).toContain('"$JS.API.STREAM.UPDATE.IHF_FEEDBACK"');
    expect(config).toContain('allow_responses: true');
    expect(() => natsAuthorizationConfig(permissions, new Map())).toThrow(/No credential/);
  });

  it('keeps deploy/nats/values-auth.yaml current (run npm run bus:auth -- --helm deploy/nats/values-auth.yaml)', () => {
    const committed: unknown = parse(
      readFileSync(
        join(__dirname, '..', '..', '..', '..', 'deploy', 'nats', 'values-auth.yaml'),
        'utf8',
      ),
    );
    expect(committed).toEqual(helmValues(busPermissions('')));
    // No secret in it: each password is read from the Kubernetes secret by the NATS container.
    expect(JSON.stringify(committed)).toContain(`<< $${helmPasswordVariable('feedback')} >>`);
  });
});
