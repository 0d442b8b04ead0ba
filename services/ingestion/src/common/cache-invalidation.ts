import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Logger, NotificationListener } from '@ihf/messaging';
import { PINO_LOGGER } from '@ihf/observability';
import { HubApiKeyVerifier } from '../api-keys/hub-api-key.verifier.js';
import { IngestionConfig } from '../config/ingestion.config.js';
import { WidgetFactsCache } from '../reporting/widget-facts.cache.js';

/** The channel the `announce_cache_change` trigger notifies (migration 20261128000000). */
export const CACHE_CHANNEL = 'ihf_ingestion_cache';

/** Longest a cache entry lives while the LISTEN session is down. */
const DISCONNECTED_TTL_MS = 5_000;

/**
 * Keeps this replica's caches of the reporting path (widget facts, API keys) in step with the
 * database: a trigger announces every change of a widget's hub/status/version and of a key's
 * hash/revocation at commit, whichever replica made it, and this LISTEN session drops the
 * entry at once. When the session drops or comes back, notifications may have been missed, so
 * both caches are emptied; until it is back (and before it first connects), entries live at
 * most 5 s.
 */
@Injectable()
export class CacheInvalidation implements OnModuleInit, OnModuleDestroy {
  private readonly listener: NotificationListener;

  constructor(
    @Inject(IngestionConfig) config: IngestionConfig,
    @Inject(WidgetFactsCache) private readonly widgets: WidgetFactsCache,
    @Inject(HubApiKeyVerifier) private readonly keys: HubApiKeyVerifier,
    @Inject(PINO_LOGGER) logger: Logger,
  ) {
    this.widgets.capTtl(DISCONNECTED_TTL_MS);
    this.keys.capTtl(DISCONNECTED_TTL_MS);
    this.listener = new NotificationListener(config.DATABASE_URL, CACHE_CHANNEL, logger, {
      onNotification: (payload) => this.apply(payload),
      onConnectionChange: (connected) => {
        this.widgets.clear();
        this.keys.clear();
        // Blind while down: entries may not outlive the short TTL the caches had before
        // invalidation existed.
        const cap = connected ? undefined : DISCONNECTED_TTL_MS;
        this.widgets.capTtl(cap);
        this.keys.capTtl(cap);
      },
    });
  }

  async onModuleInit(): Promise<void> {
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener.stop();
  }

  private apply(payload: string | undefined): void {
    if (payload?.startsWith('widget:')) this.widgets.forget(payload.slice('widget:'.length));
    else if (payload?.startsWith('api_key:')) this.keys.forget(payload.slice('api_key:'.length));
  }
}
