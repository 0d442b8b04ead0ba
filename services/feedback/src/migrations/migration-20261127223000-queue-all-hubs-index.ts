import { Migration } from '@mikro-orm/migrations';

/**
 * The triage queue across hubs (admins, and members of several hubs, whose `hub_id = any(…)`
 * cannot walk the per-hub indexes in order): status, then the queue's order, so a first page
 * reads about as many rows as it returns (bench/feedback).
 */
export class QueueAllHubsIndex extends Migration {
  override up(): void {
    this.addSql(`create index requirement_candidates_queue_all_hubs_idx
      on "feedback".requirement_candidates (status, severity_rank desc, created_at, id)`);
  }
}
