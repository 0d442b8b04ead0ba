import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { type AdapterSpecStatus, type ContractStatus, Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { ActiveContracts } from './active-contracts.js';
import { AdapterSpec, EnvelopeContract, ReportingContract } from './contract.entities.js';
import {
  ContractReferenceUnknownError,
  InvalidValidationRulesError,
  RegistryEntryExistsError,
  RegistryEntryNotFoundError,
  RegistryTransitionNotAllowedError,
} from './contracts.errors.js';
import {
  type CreateAdapterSpecDto,
  type CreateEnvelopeContractDto,
  type CreateReportingContractDto,
  type ListRegistryQueryDto,
} from './dto/contracts.dto.js';
import { compileRules, type Refusal, ruleDefinitionProblems } from './rule-evaluator.js';
import { type ValidationRule } from './validation-rule.js';

/**
 * Lifecycle of envelope and reporting contracts: draft → active → superseded / deprecated.
 * Activating a contract supersedes the active one of its kind (at most one is enforced).
 */
export const CONTRACT_TRANSITIONS: Readonly<Record<ContractStatus, readonly ContractStatus[]>> = {
  draft: ['active', 'deprecated'],
  active: ['superseded', 'deprecated'],
  superseded: ['active', 'deprecated'],
  deprecated: [],
};

/** Lifecycle of adapter specs: draft → active → deprecated. */
export const ADAPTER_SPEC_TRANSITIONS: Readonly<
  Record<AdapterSpecStatus, readonly AdapterSpecStatus[]>
> = {
  draft: ['active', 'deprecated'],
  active: ['deprecated'],
  deprecated: [],
};

const iso = (d: Date) => d.toISOString();

export function envelopeView(c: EnvelopeContract) {
  return {
    id: c.id,
    contract_version: c.contractVersion,
    required_attributes: c.requiredAttributes,
    optional_attributes: c.optionalAttributes,
    validation_rules: c.validationRules,
    description: c.description ?? null,
    status: c.status,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

export function reportingView(c: ReportingContract) {
  return {
    id: c.id,
    contract_version: c.contractVersion,
    endpoint_path: c.endpointPath,
    accepted_event_types: c.acceptedEventTypes,
    required_fields: c.requiredFields,
    auth_scheme: c.authScheme,
    validation_rules: c.validationRules,
    description: c.description ?? null,
    status: c.status,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

export function adapterSpecView(s: AdapterSpec) {
  return {
    id: s.id,
    name: s.name,
    framework: s.framework,
    version: s.version,
    envelope_contract_id: s.envelopeContractId ?? null,
    reporting_contract_id: s.reportingContractId ?? null,
    status: s.status,
    notes: s.notes ?? null,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

function rulesOf(raw: Record<string, unknown>[] | undefined): ValidationRule[] {
  const rules = raw ?? [];
  const problems = ruleDefinitionProblems(rules);
  if (problems.length) throw new InvalidValidationRulesError(problems);
  return rules as unknown as ValidationRule[];
}

type ContractKind = 'envelope_contract' | 'reporting_contract';

/** The entity of a contract kind: same columns for both, so one class stands for both in ORM calls. */
function contractClass(kind: ContractKind): typeof EnvelopeContract {
  return (
    kind === 'envelope_contract' ? EnvelopeContract : ReportingContract
  ) as typeof EnvelopeContract;
}

/** The contract registry: envelope emission contracts, reporting contracts, adapter specs. */
@Injectable()
export class ContractsService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(ActiveContracts) private readonly active: ActiveContracts,
  ) {}

  async listEnvelope(q: ListRegistryQueryDto) {
    const rows = await this.listContracts('envelope_contract', q);
    return { items: rows.map((r) => envelopeView(r as EnvelopeContract)) };
  }

  async getEnvelope(id: string) {
    return envelopeView((await this.findContract('envelope_contract', id)) as EnvelopeContract);
  }

  async createEnvelope(dto: CreateEnvelopeContractDto) {
    const rules = rulesOf(dto.validation_rules);
    const now = new Date();
    const row = await this.unique('envelope_contract', dto.contract_version, (em) => {
      const c = em.create(EnvelopeContract, {
        id: randomUUID(),
        contractVersion: dto.contract_version,
        requiredAttributes: dto.required_attributes,
        optionalAttributes: dto.optional_attributes ?? [],
        validationRules: rules,
        description: dto.description ?? null,
        status: 'draft',
        createdAt: now,
        updatedAt: now,
      });
      this.outbox.add(em, Subjects.Ingestion.EnvelopeContractCreatedV1, {
        contract_id: c.id,
        contract_version: c.contractVersion,
        required_attributes: c.requiredAttributes,
        optional_attributes: c.optionalAttributes,
        validation_rules: rules as unknown as Record<string, unknown>[],
        status: c.status,
      });
      return c;
    });
    return envelopeView(row);
  }

  async changeEnvelopeStatus(id: string, to: ContractStatus) {
    return envelopeView(
      (await this.changeContractStatus('envelope_contract', id, to)) as EnvelopeContract,
    );
  }

  async validateEnvelope(attributes: Record<string, string>): Promise<{
    contract_version: string | null;
    valid: boolean;
    refusals: Refusal[];
  }> {
    const contract = await this.em.fork().findOne(EnvelopeContract, { status: 'active' });
    if (!contract) return { contract_version: null, valid: false, refusals: [] };
    const source = { kind: 'envelope_contract' as const, version: contract.contractVersion };
    const rules = Array.isArray(contract.validationRules) ? contract.validationRules : [];
    // One compiled check per rule, so that every refusal is reported, not only the first.
    const checks = [
      ...contract.requiredAttributes.map((attribute) =>
        compileRules([], source, { root: 'attributes', fields: [attribute] }),
      ),
      ...rules.map((rule) => compileRules([rule], source)),
    ];
    const now = Date.now();
    const refusals = checks.flatMap((check) => check({ attributes }, now) ?? []);
    return { contract_version: contract.contractVersion, valid: refusals.length === 0, refusals };
  }

  async listReporting(q: ListRegistryQueryDto) {
    const rows = await this.listContracts('reporting_contract', q);
    return { items: rows.map((r) => reportingView(r as ReportingContract)) };
  }

  async getReporting(id: string) {
    return reportingView((await this.findContract('reporting_contract', id)) as ReportingContract);
  }

  async createReporting(dto: CreateReportingContractDto) {
    const rules = rulesOf(dto.validation_rules);
    const now = new Date();
    const row = await this.unique('reporting_contract', dto.contract_version, (em) => {
      const c = em.create(ReportingContract, {
        id: randomUUID(),
        contractVersion: dto.contract_version,
        endpointPath: dto.endpoint_path,
        acceptedEventTypes: dto.accepted_event_types,
        requiredFields: dto.required_fields,
        authScheme: dto.auth_scheme ?? 'bearer',
        validationRules: rules,
        description: dto.description ?? null,
        status: 'draft',
        createdAt: now,
        updatedAt: now,
      });
      this.outbox.add(em, Subjects.Ingestion.ReportingContractCreatedV1, {
        contract_id: c.id,
        contract_version: c.contractVersion,
        endpoint_path: c.endpointPath,
        accepted_event_types: c.acceptedEventTypes,
        required_fields: c.requiredFields,
        auth_scheme: c.authScheme,
        validation_rules: rules as unknown as Record<string, unknown>[],
        status: c.status,
      });
      return c;
    });
    return reportingView(row);
  }

  async changeReportingStatus(id: string, to: ContractStatus) {
    const row = await this.changeContractStatus('reporting_contract', id, to);
    // This replica enforces the new contract at once; the others within the cache TTL.
    this.active.invalidate();
    return reportingView(row as ReportingContract);
  }

  async listAdapterSpecs(q: ListRegistryQueryDto) {
    const rows = await this.em.fork().find(
      AdapterSpec,
      {
        ...(q.status ? { status: q.status as AdapterSpecStatus } : {}),
        ...(q.framework ? { framework: q.framework } : {}),
      },
      { orderBy: { name: 'asc' } },
    );
    return { items: rows.map(adapterSpecView) };
  }

  async getAdapterSpec(id: string) {
    const row = await this.em.fork().findOne(AdapterSpec, { id });
    if (!row) throw new RegistryEntryNotFoundError('adapter_spec', id);
    return adapterSpecView(row);
  }

  async createAdapterSpec(dto: CreateAdapterSpecDto) {
    const now = new Date();
    const row = await this.unique('adapter_spec', dto.name, async (em) => {
      if (
        dto.envelope_contract_id &&
        !(await em.count(EnvelopeContract, { id: dto.envelope_contract_id }))
      ) {
        throw new ContractReferenceUnknownError('envelope_contract_id', dto.envelope_contract_id);
      }
      if (
        dto.reporting_contract_id &&
        !(await em.count(ReportingContract, { id: dto.reporting_contract_id }))
      ) {
        throw new ContractReferenceUnknownError('reporting_contract_id', dto.reporting_contract_id);
      }
      const s = em.create(AdapterSpec, {
        id: randomUUID(),
        name: dto.name,
        framework: dto.framework,
        version: dto.version,
        envelopeContractId: dto.envelope_contract_id ?? null,
        reportingContractId: dto.reporting_contract_id ?? null,
        status: 'draft',
        notes: dto.notes ?? null,
        createdAt: now,
        updatedAt: now,
      });
      this.outbox.add(em, Subjects.Ingestion.AdapterSpecCreatedV1, {
        adapter_spec_id: s.id,
        name: s.name,
        framework: s.framework,
        version: s.version,
        envelope_contract_id: s.envelopeContractId ?? null,
        reporting_contract_id: s.reportingContractId ?? null,
        status: s.status,
      });
      return s;
    });
    return adapterSpecView(row);
  }

  async changeAdapterSpecStatus(id: string, to: AdapterSpecStatus) {
    const row = await this.em.fork().transactional(async (em) => {
      const s = await em.findOne(AdapterSpec, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!s) throw new RegistryEntryNotFoundError('adapter_spec', id);
      const from = s.status;
      if (from === to) return s;
      const allowed = ADAPTER_SPEC_TRANSITIONS[from];
      if (!allowed.includes(to))
        throw new RegistryTransitionNotAllowedError('adapter_spec', from, to, allowed);
      const now = new Date();
      s.status = to;
      s.updatedAt = now;
      this.outbox.add(em, Subjects.Ingestion.AdapterSpecStatusChangedV1, {
        id,
        label: s.name,
        from,
        to,
        changed_at: iso(now),
      });
      return s;
    });
    return adapterSpecView(row);
  }

  /** The contracts of a kind, oldest first, optionally of one status. */
  private listContracts(
    kind: ContractKind,
    q: ListRegistryQueryDto,
  ): Promise<(EnvelopeContract | ReportingContract)[]> {
    return this.em
      .fork()
      .find(contractClass(kind), q.status ? { status: q.status as ContractStatus } : {}, {
        orderBy: { createdAt: 'asc' },
      });
  }

  private async findContract(
    kind: ContractKind,
    id: string,
  ): Promise<EnvelopeContract | ReportingContract> {
    const row = await this.em.fork().findOne(contractClass(kind), { id });
    if (!row) throw new RegistryEntryNotFoundError(kind, id);
    return row;
  }

  /**
   * Moves a contract (envelope or reporting: one lifecycle for both) in its lifecycle, under a
   * row lock; activating it first supersedes the active contract of its kind (locked too),
   * with an event for each change.
   */
  private async changeContractStatus(
    kind: ContractKind,
    id: string,
    to: ContractStatus,
  ): Promise<EnvelopeContract | ReportingContract> {
    const cls = contractClass(kind);
    const subject =
      kind === 'envelope_contract'
        ? Subjects.Ingestion.EnvelopeContractStatusChangedV1
        : Subjects.Ingestion.ReportingContractStatusChangedV1;
    return this.em.fork().transactional(async (em) => {
      const entity = await em.findOne(cls, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!entity) throw new RegistryEntryNotFoundError(kind, id);
      const from = entity.status;
      if (from === to) return entity;
      const allowed = CONTRACT_TRANSITIONS[from];
      if (!allowed.includes(to))
        throw new RegistryTransitionNotAllowedError(kind, from, to, allowed);
      const now = new Date();
      if (to === 'active') {
        const previous = await em.findOne(
          cls,
          { status: 'active', id: { $ne: id } },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        );
        if (previous) {
          previous.status = 'superseded';
          previous.updatedAt = now;
          this.outbox.add(em, subject, {
            id: previous.id,
            label: previous.contractVersion,
            from: 'active',
            to: 'superseded',
            changed_at: iso(now),
          });
          // The one-active unique index is checked per statement: supersede first.
          await em.flush();
        }
      }
      entity.status = to;
      entity.updatedAt = now;
      this.outbox.add(em, subject, {
        id: entity.id,
        label: entity.contractVersion,
        from,
        to,
        changed_at: iso(now),
      });
      return entity;
    });
  }

  private async unique<T>(
    kind: string,
    label: string,
    work: (em: EntityManager) => T | Promise<T>,
  ): Promise<T> {
    try {
      return await this.em.fork().transactional(async (em) => work(em));
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException)
        throw new RegistryEntryExistsError(kind, label);
      throw error;
    }
  }
}
