import { Migration } from '@mikro-orm/migrations';

/**
 * `annotations.actor_type` holds one of the contracts' ACTOR_TYPES, as ingestion and the
 * annotation events already require. The list is written out, not imported: a migration is
 * history, and `test/value-set-checks.int-spec.ts` fails when the contracts' set moves away
 * from it (then a new migration changes the CHECK).
 */
export class ActorTypeKnown extends Migration {
  override up(): void {
    this.addSql(`alter table "feedback".annotations
      add constraint annotations_actor_type_known
      check (actor_type in ('user','agent','system','anonymous'))`);
  }
}
