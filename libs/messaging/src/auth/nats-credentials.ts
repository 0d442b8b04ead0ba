import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  credsAuthenticator,
  nkeyAuthenticator,
  usernamePasswordAuthenticator,
  type Authenticator,
  type ConnectionOptions,
} from '@nats-io/nats-core';
import { inboxPrefix } from '@ihf/contracts';

/**
 * How a process authenticates to NATS and protects the connection, from its environment:
 * - `NATS_CREDS`: path of a `.creds` file (JWT and nkey seed, decentralised auth), or
 * - `NATS_NKEY_SEED`: the user's nkey seed (`SU…`), or
 * - `NATS_USER` and `NATS_PASSWORD`;
 * - `NATS_TLS_CA` (CA file to verify the server), `NATS_TLS_CERT` and `NATS_TLS_KEY` (client
 *   certificate for mutual TLS): any of them turns TLS on.
 * - `IHF_BUS_CREDENTIALS_DIR`: a folder written by `npm run bus:auth` (one `<user>.env` per
 *   user): each process takes the credentials of its own service from it, unless one of the
 *   variables above is set. One setting for a whole development stack or test run.
 * None of them: an anonymous plain connection, as local development has always used.
 * Replies come back on the user's own inbox prefix (`_INBOX_<service>`), the only inboxes its
 * generated permissions let it read.
 */
export type NatsSecurityOptions = Pick<ConnectionOptions, 'authenticator' | 'tls' | 'inboxPrefix'>;

/** A NATS security variable is missing, malformed or names a file that does not exist. */
export class NatsSecurityConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NatsSecurityConfigError';
  }
}

function file(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const path = env[name]?.trim();
  if (!path) return undefined;
  if (!existsSync(path)) throw new NatsSecurityConfigError(`${name} names a missing file: ${path}`);
  return path;
}

/** The authenticator the environment asks for (undefined: anonymous). */
export function natsAuthenticator(env: NodeJS.ProcessEnv = process.env): Authenticator | undefined {
  const creds = file(env, 'NATS_CREDS');
  const seed = env.NATS_NKEY_SEED?.trim();
  const user = env.NATS_USER?.trim();
  const chosen = [creds, seed, user].filter(Boolean).length;
  if (chosen > 1) {
    throw new NatsSecurityConfigError(
      'Set only one of NATS_CREDS, NATS_NKEY_SEED and NATS_USER/NATS_PASSWORD',
    );
  }
  if (creds) return credsAuthenticator(readFileSync(creds));
  if (seed) {
    if (!/^SU[A-Z2-7]{56}$/.test(seed)) {
      throw new NatsSecurityConfigError('NATS_NKEY_SEED is not a user nkey seed (SU…, 58 chars)');
    }
    return nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  if (user) {
    const password = env.NATS_PASSWORD;
    if (!password) throw new NatsSecurityConfigError('NATS_USER is set but NATS_PASSWORD is not');
    return usernamePasswordAuthenticator(user, password);
  }
  if (env.NATS_PASSWORD)
    throw new NatsSecurityConfigError('NATS_PASSWORD is set but NATS_USER is not');
  return undefined;
}

/** TLS options from NATS_TLS_CA / NATS_TLS_CERT / NATS_TLS_KEY (undefined: no TLS asked for). */
export function natsTlsOptions(env: NodeJS.ProcessEnv = process.env): ConnectionOptions['tls'] {
  const caFile = file(env, 'NATS_TLS_CA');
  const certFile = file(env, 'NATS_TLS_CERT');
  const keyFile = file(env, 'NATS_TLS_KEY');
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new NatsSecurityConfigError('NATS_TLS_CERT and NATS_TLS_KEY go together (mutual TLS)');
  }
  if (!caFile && !certFile) return undefined;
  return { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile, keyFile } : {}) };
}

/** `env` with the credentials of `service` from IHF_BUS_CREDENTIALS_DIR, when set and not overridden. */
function withCredentialsDir(service: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const dir = env.IHF_BUS_CREDENTIALS_DIR?.trim();
  if (!dir || env.NATS_CREDS || env.NATS_NKEY_SEED || env.NATS_USER) return env;
  const path = join(dir, `${service}.env`);
  if (!existsSync(path)) {
    throw new NatsSecurityConfigError(
      `IHF_BUS_CREDENTIALS_DIR has no credentials for '${service}' (${path}): run npm run bus:auth`,
    );
  }
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) vars[match[1]] = match[2];
  }
  return { ...env, ...vars };
}

/** Everything a NATS connection of `service` takes from the environment (see the type's doc). */
export function natsSecurityOptions(
  service: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): NatsSecurityOptions {
  const env = withCredentialsDir(service, processEnv);
  const authenticator = natsAuthenticator(env);
  const tls = natsTlsOptions(env);
  return {
    inboxPrefix: inboxPrefix(service),
    ...(authenticator ? { authenticator } : {}),
    ...(tls ? { tls } : {}),
  };
}
