import { Migration } from '@mikro-orm/migrations';

const S = '"ingestion"';

/**
 * Every replica caches widget facts and API keys for the reporting path; a change to either,
 * made by any replica (or by hand), is announced at commit on `ihf_ingestion_cache` as
 * `widget:<id>` or `api_key:<prefix>`, so that every replica drops its copy at once instead of
 * serving it until its TTL runs out.
 */
export class CacheInvalidation extends Migration {
  override up(): void {
    this.addSql(`create function ${S}.announce_cache_change() returns trigger language plpgsql as $$
      declare
        changed record;
      begin
        if tg_op = 'DELETE' then changed := old; else changed := new; end if;
        if tg_table_name = 'widgets' then
          perform pg_notify('ihf_ingestion_cache', 'widget:' || changed.id::text);
        else
          perform pg_notify('ihf_ingestion_cache', 'api_key:' || changed.prefix);
        end if;
        return null;
      end $$`);
    this.addSql(`create trigger widgets_cache_change
      after update of hub_id, status, version or delete on ${S}.widgets
      for each row execute function ${S}.announce_cache_change()`);
    this.addSql(`create trigger hub_api_keys_cache_change
      after update of hub_id, key_hash, revoked_at or delete on ${S}.hub_api_keys
      for each row execute function ${S}.announce_cache_change()`);
  }
}
