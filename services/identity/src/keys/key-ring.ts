import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Logger } from 'pino';
import { type IdentityConfig } from '../config/identity.config.js';
import { type PublicJwk, signingKeyFromPem, type SigningKey } from './signing-key.js';

/** File name of the generated development key inside `IHF_JWT_DEV_KEY_DIR`. */
export const DEV_KEY_FILE = 'identity-signing-key.pem';

/**
 * The keys identity publishes and the one it signs with.
 *
 * Rotation: mount the new key as `IHF_JWT_ADDITIONAL_KEY_FILES` first (published, not signing),
 * wait for the services' JWKS caches (30 s minimum refresh interval, 10 min max age), then make it
 * `IHF_JWT_PRIVATE_KEY_FILE` and move the old one to the additional files; remove the old one
 * once the access TTL has passed.
 */
export class KeyRing {
  constructor(
    readonly current: SigningKey,
    private readonly others: readonly SigningKey[],
  ) {}

  /** Every published key, the signing one first. */
  get keys(): readonly SigningKey[] {
    return [this.current, ...this.others.filter((k) => k.kid !== this.current.kid)];
  }

  /** The JWKS document served at `/.well-known/jwks.json`. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: this.keys.map((k) => k.jwk) };
  }
}

/**
 * Loads the key ring from the config. Without `IHF_JWT_PRIVATE_KEY_FILE`, outside production,
 * a key is generated once under `IHF_JWT_DEV_KEY_DIR` (and reused on later starts), with a warning.
 *
 * @throws Error when a key file is missing or unusable, or when no key is configured in production.
 */
export function loadKeyRing(config: IdentityConfig, logger: Logger): KeyRing {
  const current = config.IHF_JWT_PRIVATE_KEY_FILE
    ? readKey(config.IHF_JWT_PRIVATE_KEY_FILE, 'IHF_JWT_PRIVATE_KEY_FILE')
    : developmentKey(config, logger);
  if (!current.privateKey) {
    throw new Error('IHF_JWT_PRIVATE_KEY_FILE must hold a private key');
  }
  const others = (config.IHF_JWT_ADDITIONAL_KEY_FILES ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '')
    .map((file) => readKey(file, 'IHF_JWT_ADDITIONAL_KEY_FILES'));
  logger.info(
    { signing_kid: current.kid, published_kids: [current, ...others].map((k) => k.kid) },
    'JWT signing keys loaded',
  );
  return new KeyRing(current, others);
}

function readKey(file: string, variable: string): SigningKey {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${variable}: cannot read ${file} (${(err as Error).message})`, { cause: err });
  }
  return signingKeyFromPem(pem, `${variable} (${file})`);
}

function developmentKey(config: IdentityConfig, logger: Logger): SigningKey {
  if (config.NODE_ENV === 'production') {
    throw new Error('IHF_JWT_PRIVATE_KEY_FILE is required when NODE_ENV is production');
  }
  const dir = resolve(config.IHF_JWT_DEV_KEY_DIR);
  const file = join(dir, DEV_KEY_FILE);
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    chmodSync(file, 0o600);
    logger.warn(
      { file },
      'Generated a development JWT signing key: set IHF_JWT_PRIVATE_KEY_FILE outside development',
    );
  } else {
    logger.warn(
      { file },
      'Using the development JWT signing key: set IHF_JWT_PRIVATE_KEY_FILE outside development',
    );
  }
  return readKey(file, 'IHF_JWT_DEV_KEY_DIR');
}
