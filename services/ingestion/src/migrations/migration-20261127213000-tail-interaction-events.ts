import { Migration } from '@mikro-orm/migrations';
import { tableTailSql } from '@ihf/messaging';

/**
 * `interaction_events` becomes its own outbox: transaction id and insertion sequence on each
 * row, the relay cursor table and the NOTIFY trigger of `@ihf/messaging`'s table tail relay.
 */
export class TailInteractionEvents extends Migration {
  override up(): void {
    for (const sql of tableTailSql('ingestion', 'interaction_events')) this.addSql(sql);
  }
}
