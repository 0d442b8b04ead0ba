import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager } from '@mikro-orm/core';
import { RpcPatterns, type WidgetGetRequestV1, type WidgetGetResponseV1 } from '@ihf/contracts';
import { RpcClient, RpcUnavailableError } from '@ihf/messaging';
import { GovernanceConfig } from '../config/governance.config.js';
import { WidgetLookupUnavailableError } from './read-models.errors.js';
import { type WidgetFacts, WidgetReadModel } from './widget-read-model.repository.js';

/**
 * Where governance checks a widget reference: the local read model first, then (when the model
 * has not caught up with ingestion's events yet) a request to ingestion, whose answer is
 * stored in the model so the next check is local.
 */
@Injectable()
export class WidgetDirectory {
  constructor(
    @Inject(RpcClient) private readonly rpc: RpcClient,
    @Inject(GovernanceConfig) private readonly config: GovernanceConfig,
  ) {}

  /**
   * The widget, or undefined when neither the model nor ingestion knows it.
   * @throws WidgetLookupUnavailableError when the model misses it and ingestion does not answer.
   */
  async find(em: EntityManager, id: string): Promise<WidgetFacts | undefined> {
    const known = await WidgetReadModel.find(em, id);
    if (known) return known;
    let answer: WidgetGetResponseV1;
    try {
      answer = await this.rpc.request<WidgetGetResponseV1, WidgetGetRequestV1>(
        RpcPatterns.Ingestion.WidgetGetV1,
        { widget_id: id },
        this.config.GOVERNANCE_LOOKUP_TIMEOUT_MS,
      );
    } catch (error) {
      if (error instanceof RpcUnavailableError) throw new WidgetLookupUnavailableError(id, error);
      throw error;
    }
    if (!answer.found || !answer.widget) return undefined;
    const w = answer.widget;
    await WidgetReadModel.applySnapshot(em, w);
    return {
      id: w.widget_id,
      hub_id: w.hub_id,
      name: w.name,
      status: w.status,
      version: w.version,
    };
  }

  /**
   * For reads (the trace): the model, else ingestion's answer without storing it (the read
   * runs in a read-only snapshot); undefined when neither answers, so a slow ingestion only
   * leaves the widget out.
   */
  async findKnown(em: EntityManager, id: string): Promise<WidgetFacts | undefined> {
    const known = await WidgetReadModel.find(em, id);
    if (known) return known;
    try {
      const answer = await this.rpc.request<WidgetGetResponseV1, WidgetGetRequestV1>(
        RpcPatterns.Ingestion.WidgetGetV1,
        { widget_id: id },
        this.config.GOVERNANCE_LOOKUP_TIMEOUT_MS,
      );
      const w = answer.found ? answer.widget : null;
      return w
        ? { id: w.widget_id, hub_id: w.hub_id, name: w.name, status: w.status, version: w.version }
        : undefined;
    } catch (error) {
      if (error instanceof RpcUnavailableError) return undefined;
      throw error;
    }
  }
}
