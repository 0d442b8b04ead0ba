import { Migration } from '@mikro-orm/migrations';

/**
 * The decision log of someone who sees every hub (an admin, no hub filter) is the newest
 * decisions of all hubs: without an index in that order it is a scan and sort of the whole
 * table (904 ms at 1,000,000 decisions in bench/governance).
 */
export class DecisionLogAllHubs extends Migration {
  override up(): void {
    this.addSql(`create index decision_records_log_all_hubs_idx on "governance".decision_records
      (decided_at desc, id desc)`);
  }

  override down(): void {
    this.addSql(`drop index "governance".decision_records_log_all_hubs_idx`);
  }
}
