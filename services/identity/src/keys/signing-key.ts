import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
  sign,
} from 'node:crypto';

/** Algorithms identity signs with (accepted by `@ihf/auth`). */
export type SigningAlgorithm = 'RS256' | 'ES256';

/** A published JWK (public members only). */
export interface PublicJwk extends JsonWebKey {
  readonly kid: string;
  readonly kty: 'RSA' | 'EC';
  readonly use: 'sig';
  readonly alg: SigningAlgorithm;
}

/** A key in the key ring: always a public key, and a private key when it may sign. */
export interface SigningKey {
  /** RFC 7638 thumbprint: the same key gets the same `kid` on every replica. */
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly publicKey: KeyObject;
  readonly privateKey?: KeyObject;
  readonly jwk: PublicJwk;
}

const MIN_RSA_BITS = 2048;

/**
 * Reads a PEM (private or public) into a {@link SigningKey}: RSA of at least 2048 bits (RS256)
 * or EC P-256 (ES256).
 *
 * @throws Error naming `source` when the key is unusable.
 */
export function signingKeyFromPem(pem: string, source: string): SigningKey {
  let privateKey: KeyObject | undefined;
  let publicKey: KeyObject;
  try {
    if (pem.includes('PRIVATE KEY')) {
      privateKey = createPrivateKey(pem);
      publicKey = createPublicKey(privateKey);
    } else {
      publicKey = createPublicKey(pem);
    }
  } catch (err) {
    throw new Error(`${source}: not a PEM key (${(err as Error).message})`, { cause: err });
  }
  const details = publicKey.asymmetricKeyDetails;
  let alg: SigningAlgorithm;
  if (publicKey.asymmetricKeyType === 'rsa') {
    if ((details?.modulusLength ?? 0) < MIN_RSA_BITS) {
      throw new Error(`${source}: RSA keys must have at least ${MIN_RSA_BITS} bits`);
    }
    alg = 'RS256';
  } else if (publicKey.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') {
    alg = 'ES256';
  } else {
    throw new Error(`${source}: only RSA (>= 2048 bits) and EC P-256 keys are supported`);
  }
  const exported = publicKey.export({ format: 'jwk' });
  const kid = thumbprint(exported);
  const jwk: PublicJwk =
    alg === 'RS256'
      ? { kty: 'RSA', n: exported.n, e: exported.e, kid, use: 'sig', alg }
      : { kty: 'EC', crv: exported.crv, x: exported.x, y: exported.y, kid, use: 'sig', alg };
  return privateKey ? { kid, alg, publicKey, privateKey, jwk } : { kid, alg, publicKey, jwk };
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url). */
export function thumbprint(jwk: JsonWebKey): string {
  const canonical =
    jwk.kty === 'RSA'
      ? JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })
      : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** JOSE header of an access token. */
export interface JwtHeader {
  readonly alg: SigningAlgorithm;
  readonly typ: 'JWT';
  readonly kid: string;
}

/** Signs `payload` as a compact JWS with `key` (which must hold a private key). */
export function signJwt(payload: Record<string, unknown>, key: SigningKey): string {
  if (!key.privateKey) throw new Error(`key ${key.kid} cannot sign: no private key`);
  const header: JwtHeader = { alg: key.alg, typ: 'JWT', kid: key.kid };
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: key.privateKey,
    // JWS ES256 signatures are r||s, not DER.
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
