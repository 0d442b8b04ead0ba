import { Migration } from '@mikro-orm/migrations';

/**
 * The W3C `traceparent` of the request that reported an interaction event, only when that
 * request was sampled for tracing (null otherwise, i.e. nearly always in production): the relay
 * then publishes the event as a child of the request's trace, so one trace runs from the
 * browser's POST to the consumers that act on the event. A nullable column costs nothing for
 * the rows that leave it empty.
 */
export class InteractionTraceparent extends Migration {
  override up(): void {
    this.addSql(`alter table "ingestion".interaction_events add column traceparent text`);
  }
}
