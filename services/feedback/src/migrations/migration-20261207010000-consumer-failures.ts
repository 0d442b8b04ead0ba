import { Migration } from '@mikro-orm/migrations';
import { consumerFailuresSql } from '@ihf/messaging';

/**
 * Real handler failures per consumer and event: the dead-letter limit counts these, not
 * JetStream's deliveries (which include redeliveries during a database outage).
 */
export class ConsumerFailures extends Migration {
  override up(): void {
    for (const sql of consumerFailuresSql('feedback')) this.addSql(sql);
  }
}
