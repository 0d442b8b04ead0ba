import { type PresentedApiKey } from './api-key.js';

/** Who called with a valid hub API key. */
export interface ApiKeyPrincipal {
  /** The hub the key belongs to; the caller may act in this hub only. */
  readonly hubId: string;
  /** Id of the stored key (for audit and rate limiting). */
  readonly keyId: string;
  /** The key's visible prefix. */
  readonly prefix: string;
}

/**
 * Checks a presented API key against a service's own storage (this library stores nothing).
 * Provide an implementation in the module that declares `@ApiKeyAuth()` controllers:
 *
 * ```ts
 * @Injectable()
 * export class HubApiKeyVerifier extends ApiKeyVerifier {
 *   constructor(private readonly keys: HubApiKeyRepository) { super(); }
 *   async verify(presented: PresentedApiKey): Promise<ApiKeyPrincipal | null> {
 *     const row = await this.keys.findActiveByPrefix(presented.prefix); // not revoked
 *     if (!row || !verifyApiKeyHash(presented.key, row.keyHash)) return null;
 *     return { hubId: row.hubId, keyId: row.id, prefix: row.prefix };
 *   }
 * }
 * // providers: [{ provide: ApiKeyVerifier, useClass: HubApiKeyVerifier }]
 * ```
 *
 * Return `null` for unknown, revoked or mismatching keys (the guard answers 401); throw only for
 * infrastructure failures (they must not read as "bad key").
 */
export abstract class ApiKeyVerifier {
  /** The principal of a valid key, or `null`. */
  abstract verify(presented: PresentedApiKey): Promise<ApiKeyPrincipal | null>;
}
