import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { IngestionConfig } from '../config/ingestion.config.js';
import { isConnectionError, StorageUnavailableError } from '../common/unavailable.error.js';
import { ReportingContract } from './contract.entities.js';
import { type CompiledRules, compileRules, type Refusal } from './rule-evaluator.js';

/** The reporting contract the endpoint enforces, with its rules compiled. */
export interface ActiveReportingContract {
  readonly id: string;
  readonly version: string;
  readonly acceptedEventTypes: readonly string[];
  readonly evaluate: CompiledRules;
}

/** When no reporting contract is active, every event is refused with this. */
const NO_CONTRACT: ActiveReportingContract = {
  id: '',
  version: 'none',
  acceptedEventTypes: [],
  evaluate: (): Refusal => ({
    reason: 'no_active_contract',
    rule: 'active_contract',
    contract_kind: 'reporting_contract',
    contract_version: 'none',
    field: '',
    message: 'No interaction reporting contract is active',
  }),
};

/** After a failed background re-read, the next one waits this long (or for the TTL's end). */
const REFRESH_RETRY_MS = 1_000;

interface CachedContract {
  readonly contract: ActiveReportingContract;
  /** What the contract was compiled from (its row's id, version, types, rules, fields). */
  readonly fingerprint: string;
  readonly refreshAt: number;
  readonly expiresAt: number;
}

/**
 * The active interaction reporting contract, compiled once and re-read every
 * `INGESTION_CONTRACT_CACHE_TTL_MS` (at once in this replica after a registry change, see
 * {@link ActiveContracts.invalidate}), so requests only run compiled closures.
 *
 * The re-read starts in the background halfway through the TTL, while requests go on with
 * the cached contract: when requests waited for it at expiry instead, every request arriving
 * then queued behind one query and a pooled connection, every few seconds. A request waits only
 * for the first load, after an invalidation, or when the background re-reads failed until the
 * TTL ran out, so nothing is served older than the TTL.
 */
@Injectable()
export class ActiveContracts {
  private readonly logger = new Logger(ActiveContracts.name);
  private cached?: CachedContract;
  /** The last contract loaded, kept through an invalidation to be reused if unchanged. */
  private previous?: CachedContract;
  private loading?: Promise<ActiveReportingContract>;
  /** Bumped by `invalidate`: a load that began before it does not store what it read. */
  private generation = 0;

  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(IngestionConfig) private readonly config: IngestionConfig,
  ) {}

  async reporting(): Promise<ActiveReportingContract> {
    const now = Date.now();
    const cached = this.cached;
    if (cached && cached.expiresAt > now) {
      if (cached.refreshAt <= now && !this.loading)
        this.startLoad().catch((error: unknown) => {
          // Not again on the next request: during an outage that would be a read (and a log
          // line) per request until the TTL runs out.
          if (this.cached === cached)
            this.cached = { ...cached, refreshAt: Date.now() + REFRESH_RETRY_MS };
          this.logger.warn(`Re-reading the active reporting contract failed: ${String(error)}`);
        });
      return cached.contract;
    }
    return this.loading ?? this.startLoad();
  }

  invalidate(): void {
    this.generation++;
    this.previous = this.cached ?? this.previous;
    this.cached = undefined;
    this.loading = undefined;
  }

  /** One load at a time; concurrent requests share it. */
  private startLoad(): Promise<ActiveReportingContract> {
    const loading = this.load(this.generation).finally(() => {
      if (this.loading === loading) this.loading = undefined;
    });
    this.loading = loading;
    return loading;
  }

  private async load(generation: number): Promise<ActiveReportingContract> {
    let row: ReportingContract | null;
    try {
      row = await this.em.fork().findOne(ReportingContract, { status: 'active' });
    } catch (error) {
      if (isConnectionError(error)) {
        throw new StorageUnavailableError(this.config.INGESTION_RETRY_AFTER_SEC, error);
      }
      throw error;
    }
    // An unchanged row keeps its compiled contract: nothing to compile again, and requests
    // keep running the same closures.
    const fingerprint = row
      ? JSON.stringify([
          row.id,
          row.contractVersion,
          row.acceptedEventTypes,
          row.validationRules,
          row.requiredFields,
        ])
      : '';
    const previous = this.cached ?? this.previous;
    let contract = NO_CONTRACT;
    if (previous && previous.fingerprint === fingerprint) contract = previous.contract;
    else if (row) {
      try {
        contract = {
          id: row.id,
          version: row.contractVersion,
          acceptedEventTypes: row.acceptedEventTypes,
          evaluate: compileRules(
            row.validationRules,
            { kind: 'reporting_contract', version: row.contractVersion },
            { root: 'event', fields: row.requiredFields },
          ),
        };
      } catch (error) {
        // Rules are checked when a contract is registered; this guards hand-edited rows.
        this.logger.error(
          `Active reporting contract ${row.contractVersion} is unusable: ${String(error)}`,
        );
      }
    }
    if (generation === this.generation) {
      const ttl = this.config.INGESTION_CONTRACT_CACHE_TTL_MS;
      const now = Date.now();
      this.cached = { contract, fingerprint, refreshAt: now + ttl / 2, expiresAt: now + ttl };
    }
    return contract;
  }
}
