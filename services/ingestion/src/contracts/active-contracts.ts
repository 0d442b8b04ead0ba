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

/**
 * The active interaction reporting contract, compiled once and re-read every
 * `INGESTION_CONTRACT_CACHE_TTL_MS` (at once in this replica after a registry change, see
 * {@link ActiveContracts.invalidate}), so requests only run compiled closures.
 */
@Injectable()
export class ActiveContracts {
  private readonly logger = new Logger(ActiveContracts.name);
  private cached?: { contract: ActiveReportingContract; expiresAt: number };
  private loading?: Promise<ActiveReportingContract>;

  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(IngestionConfig) private readonly config: IngestionConfig,
  ) {}

  async reporting(): Promise<ActiveReportingContract> {
    if (this.cached && this.cached.expiresAt > Date.now()) return this.cached.contract;
    // One load at a time; concurrent requests share it.
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async load(): Promise<ActiveReportingContract> {
    let row: ReportingContract | null;
    try {
      row = await this.em.fork().findOne(ReportingContract, { status: 'active' });
    } catch (error) {
      if (isConnectionError(error)) {
        throw new StorageUnavailableError(this.config.INGESTION_RETRY_AFTER_SEC, error);
      }
      throw error;
    }
    let contract = NO_CONTRACT;
    if (row) {
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
    this.cached = { contract, expiresAt: Date.now() + this.config.INGESTION_CONTRACT_CACHE_TTL_MS };
    return contract;
  }
}
