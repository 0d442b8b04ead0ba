import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type AuthenticatedUser, assertHubAccess } from '@ihf/auth';
import { Subjects, type WorkItemState, type WorkItemSystem } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { governsHub } from '../common/roles.js';
import { isoRequired, query, queryOne } from '@ihf/persistence';
import { GovernanceConfig } from '../config/governance.config.js';
import {
  WORK_ITEM_COLUMNS,
  type WorkItemRow,
  toWorkItemView,
} from '../decisions/decision.repository.js';
import { AlreadyLinkedError } from '../decisions/decisions.errors.js';
import { DecisionsService } from '../decisions/decisions.service.js';
import { type WorkItemView } from '../requirements/dto/requirement.dto.js';
import { NotAGovernorError } from '../requirements/requirements.errors.js';
import {
  type HubSettingsView,
  type TrackerSettingsDto,
  type WebhookAnswerView,
} from './dto/hub-settings.dto.js';
import { SecretBox } from './secret-box.js';
import { isFormatProblem, parseWorkItem, type TrackerBaseUrls } from './work-item-format.js';
import {
  InvalidWorkItemRefError,
  SecretKeyMissingError,
  TrackerBaseUrlMissingError,
  WebhookDeliveryInvalidError,
  WebhookSignatureError,
} from './work-items.errors.js';

interface HubSettingsRow extends TrackerBaseUrls {
  readonly hub_id: string;
  readonly github_webhook_secret: Buffer | null;
}

const NO_SETTINGS: TrackerBaseUrls = {
  jira_base_url: null,
  gitlab_base_url: null,
  linear_base_url: null,
  azure_boards_base_url: null,
};

/** The GitHub deliveries that can change a linked item's state. */
const GITHUB_EVENTS = new Set(['issues', 'pull_request']);

/** What a GitHub `issues` / `pull_request` delivery says about one item. */
interface GithubItemPayload {
  readonly action?: unknown;
  readonly repository?: { readonly full_name?: unknown };
  readonly issue?: { readonly number?: unknown; readonly state?: unknown };
  readonly pull_request?: {
    readonly number?: unknown;
    readonly state?: unknown;
    readonly merged?: unknown;
  };
}

/** The item and its new state, or undefined when the delivery says nothing we track. */
export function githubItemState(
  payload: GithubItemPayload,
): { key: string; state: WorkItemState } | undefined {
  const repo = payload.repository?.full_name;
  const item = payload.pull_request ?? payload.issue;
  if (typeof repo !== 'string' || !item || typeof item.number !== 'number') return undefined;
  let state: WorkItemState;
  if (payload.pull_request && payload.pull_request.merged === true) state = 'merged';
  else if (item.state === 'open') state = 'open';
  else if (item.state === 'closed') state = 'closed';
  else return undefined;
  return { key: `github:${repo}#${item.number}`.toLowerCase(), state };
}

/** Work items on decisions, the hubs' tracker settings, and GitHub's webhook. */
@Injectable()
export class WorkItemsService {
  private readonly box: SecretBox | undefined;

  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(DecisionsService) private readonly decisions: DecisionsService,
    @Inject(GovernanceConfig) config: GovernanceConfig,
  ) {
    this.box = config.GOVERNANCE_SECRET_KEY
      ? new SecretBox(config.GOVERNANCE_SECRET_KEY)
      : undefined;
  }

  async link(
    user: AuthenticatedUser,
    decisionId: string,
    system: WorkItemSystem,
    ref: string,
  ): Promise<WorkItemView> {
    return this.orm.em.fork().transactional(async (em) => {
      const decision = await this.decisions.visible(em, user, decisionId);
      if (!governsHub(user, decision.hub_id)) throw new NotAGovernorError();
      const settings =
        (await queryOne<HubSettingsRow>(
          em,
          'select * from governance.hub_settings where hub_id = ?',
          [decision.hub_id],
        )) ?? NO_SETTINGS;
      const parsed = parseWorkItem(system, ref, settings);
      if (isFormatProblem(parsed)) {
        if (parsed.problem === 'format') throw new InvalidWorkItemRefError(system, parsed.expected);
        throw new TrackerBaseUrlMissingError(parsed.setting);
      }
      const [row] = await query<WorkItemRow>(
        em,
        `insert into governance.implementation_change_references (hub_id, decision_id,
           work_item_ref, system, url, tracker_key, linked_by)
         values (?, ?, ?, ?, ?, ?, ?) on conflict (decision_id, system, work_item_ref) do nothing
         returning ${WORK_ITEM_COLUMNS}`,
        [decision.hub_id, decision.id, parsed.ref, system, parsed.url, parsed.trackerKey, user.id],
      );
      if (!row) throw new AlreadyLinkedError(`Decision ${decision.id} already links ${parsed.ref}`);
      this.outbox.add(
        em,
        Subjects.Governance.WorkItemLinkedV1,
        {
          work_item_id: row.id,
          decision_id: decision.id,
          system,
          work_item_ref: row.work_item_ref,
          url: row.url,
          state: row.state,
          linked_by: row.linked_by,
          linked_at: isoRequired(row.linked_at),
        },
        { hubId: decision.hub_id, aggregateId: row.id, aggregateVersion: 1 },
      );
      return toWorkItemView(row);
    });
  }

  async settings(user: AuthenticatedUser, hubId: string): Promise<HubSettingsView> {
    assertHubAccess(user, hubId);
    const row = await queryOne<HubSettingsRow>(
      this.orm.em.fork(),
      'select * from governance.hub_settings where hub_id = ?',
      [hubId.toLowerCase()],
    );
    return this.settingsView(hubId.toLowerCase(), row);
  }

  async putTrackerSettings(
    user: AuthenticatedUser,
    hubId: string,
    dto: TrackerSettingsDto,
  ): Promise<HubSettingsView> {
    const hub = this.governedHub(user, hubId);
    const keep = (field: keyof TrackerBaseUrls): unknown =>
      dto[field] === undefined ? null : (dto[field] ?? null);
    const set = (field: keyof TrackerBaseUrls): string =>
      dto[field] === undefined ? `${field} = s.${field}` : `${field} = excluded.${field}`;
    const fields: (keyof TrackerBaseUrls)[] = [
      'jira_base_url',
      'gitlab_base_url',
      'linear_base_url',
      'azure_boards_base_url',
    ];
    const [row] = await query<HubSettingsRow>(
      this.orm.em.fork(),
      `insert into governance.hub_settings as s (hub_id, ${fields.join(', ')}, updated_by)
       values (?, ?, ?, ?, ?, ?)
       on conflict (hub_id) do update set ${fields.map(set).join(', ')},
         updated_by = excluded.updated_by, updated_at = now()
       returning *`,
      [hub, ...fields.map(keep), user.id],
    );
    return this.settingsView(hub, row);
  }

  /** Stores the hub's GitHub webhook secret encrypted; it is never returned. */
  async putWebhookSecret(user: AuthenticatedUser, hubId: string, secret: string): Promise<void> {
    const hub = this.governedHub(user, hubId);
    if (!this.box) throw new SecretKeyMissingError();
    await query(
      this.orm.em.fork(),
      `insert into governance.hub_settings as s (hub_id, github_webhook_secret, updated_by)
       values (?, ?, ?)
       on conflict (hub_id) do update set github_webhook_secret = excluded.github_webhook_secret,
         updated_by = excluded.updated_by, updated_at = now()`,
      [hub, this.box.seal(secret, hub), user.id],
    );
  }

  /**
   * A GitHub delivery for the hub: the signature is checked over the raw body first (401 when
   * it does not match, also when the hub has no secret), then the delivery id is recorded so a
   * replay changes nothing; `issues` and `pull_request` deliveries set the state of the linked
   * items they name; anything else is acknowledged and ignored.
   */
  async githubDelivery(
    hubId: string,
    headers: { event?: string; delivery?: string; signature?: string },
    rawBody: Buffer | undefined,
    body: unknown,
  ): Promise<WebhookAnswerView> {
    const hub = hubId.toLowerCase();
    const settings = await queryOne<HubSettingsRow>(
      this.orm.em.fork(),
      'select * from governance.hub_settings where hub_id = ?',
      [hub],
    );
    if (!settings?.github_webhook_secret || !this.box || !headers.signature || !rawBody) {
      throw new WebhookSignatureError();
    }
    let valid: boolean;
    try {
      const secret = this.box.open(settings.github_webhook_secret, hub);
      // An ES module without a `require` export: loaded with import(), once (cached).
      const { verify } = await import('@octokit/webhooks-methods');
      valid = await verify(secret, rawBody.toString('utf8'), headers.signature);
    } catch {
      valid = false;
    }
    if (!valid) throw new WebhookSignatureError();
    if (!headers.delivery || headers.delivery.length > 100 || !headers.event) {
      throw new WebhookDeliveryInvalidError('X-GitHub-Delivery and X-GitHub-Event are required');
    }
    const delivery = headers.delivery;
    const event = headers.event.slice(0, 100);
    return this.orm.em.fork().transactional(async (em) => {
      const [fresh] = await query<{ delivery_id: string }>(
        em,
        `insert into governance.webhook_deliveries (delivery_id, hub_id, event) values (?, ?, ?)
         on conflict (delivery_id) do nothing returning delivery_id`,
        [delivery, hub, event],
      );
      if (!fresh) return { result: 'duplicate', items_changed: 0 };
      const item =
        GITHUB_EVENTS.has(event) && body && typeof body === 'object'
          ? githubItemState(body)
          : undefined;
      if (!item) return { result: 'ignored', items_changed: 0 };
      const changed = await query<WorkItemRow & { from_state: WorkItemState; version: number }>(
        em,
        `update governance.implementation_change_references w set state = ?,
           state_changed_at = now(), version = w.version + 1
         from (select id, state as from_state from governance.implementation_change_references
               where hub_id = ? and tracker_key = ? and state <> ? for update) old
         where w.id = old.id
         returning w.id, w.hub_id, w.decision_id, w.state, w.state_changed_at, w.version,
           old.from_state`,
        [item.state, hub, item.key, item.state],
      );
      for (const w of changed) {
        this.outbox.add(
          em,
          Subjects.Governance.WorkItemStateChangedV1,
          {
            work_item_id: w.id,
            decision_id: w.decision_id,
            from: w.from_state,
            to: w.state,
            changed_at: isoRequired(w.state_changed_at as Date),
          },
          { hubId: hub, aggregateId: w.id, aggregateVersion: w.version },
        );
      }
      await query(
        em,
        'update governance.webhook_deliveries set items_changed = ? where delivery_id = ?',
        [changed.length, delivery],
      );
      return { result: changed.length ? 'processed' : 'ignored', items_changed: changed.length };
    });
  }

  private governedHub(user: AuthenticatedUser, hubId: string): string {
    assertHubAccess(user, hubId);
    if (!governsHub(user, hubId)) throw new NotAGovernorError();
    return hubId.toLowerCase();
  }

  private settingsView(hubId: string, row: HubSettingsRow | undefined): HubSettingsView {
    return {
      hub_id: hubId,
      jira_base_url: row?.jira_base_url ?? null,
      gitlab_base_url: row?.gitlab_base_url ?? null,
      linear_base_url: row?.linear_base_url ?? null,
      azure_boards_base_url: row?.azure_boards_base_url ?? null,
      github_webhook_secret_set: Boolean(row?.github_webhook_secret),
      github_webhook_path: `/api/v1/webhooks/github/${hubId}`,
    };
  }
}
