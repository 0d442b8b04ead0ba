import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

/** argon2id cost parameters. */
export interface Argon2Params {
  /** Memory in KiB. */
  readonly memoryKib: number;
  /** Passes (time cost). */
  readonly iterations: number;
  /** Lanes. */
  readonly parallelism: number;
}

const SALT_BYTES = 16;
const TAG_BYTES = 32;
const PHC_RE = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function derive(password: string, salt: Buffer, params: Argon2Params, tagLength: number) {
  return new Promise<Buffer>((resolve, reject) => {
    argon2(
      'argon2id',
      {
        message: Buffer.from(password, 'utf8'),
        nonce: salt,
        memory: params.memoryKib,
        passes: params.iterations,
        parallelism: params.parallelism,
        tagLength,
      },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

const b64 = (buffer: Buffer): string => buffer.toString('base64').replace(/=+$/, '');

/**
 * Password hashing with argon2id (Node's built-in `crypto.argon2`), stored as PHC strings
 * (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so that parameters can change without breaking
 * existing hashes. Runs on libuv's thread pool, off the event loop.
 */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly params: Argon2Params) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const tag = await derive(password, salt, this.params, TAG_BYTES);
    const { memoryKib: m, iterations: t, parallelism: p } = this.params;
    return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(tag)}`;
  }

  /** Whether `password` matches `phc`; false (never an error) for a malformed hash. */
  async verify(phc: string, password: string): Promise<boolean> {
    const match = PHC_RE.exec(phc);
    if (match === null) return false;
    const [, m, t, p, salt, hash] = match;
    const expected = Buffer.from(hash, 'base64');
    const params = { memoryKib: Number(m), iterations: Number(t), parallelism: Number(p) };
    const actual = await derive(password, Buffer.from(salt, 'base64'), params, expected.length);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /**
   * Spends the same work as verifying a real hash, for sign-ins with an unknown e-mail, so that
   * response time does not tell whether the e-mail exists. Always false.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomBytes(16).toString('hex'));
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** Whether `phc` was made with other parameters than the current ones. */
  needsRehash(phc: string): boolean {
    const match = PHC_RE.exec(phc);
    if (match === null) return true;
    const { memoryKib, iterations, parallelism } = this.params;
    return (
      Number(match[1]) !== memoryKib ||
      Number(match[2]) !== iterations ||
      Number(match[3]) !== parallelism
    );
  }
}
