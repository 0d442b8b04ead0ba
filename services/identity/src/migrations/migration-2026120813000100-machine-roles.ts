import { Migration } from '@mikro-orm/migrations';
import { MACHINE_ROLES, ROLES } from '@ihf/contracts';

const textArray = (values: readonly string[]): string =>
  `array[${values.map((v) => `'${v}'`).join(',')}]::text[]`;

/**
 * Machine clients get one role each (`agent` as before, or `deployer` for a pipeline's
 * deployment hook), and the users' role CHECK follows the contracts' ROLES, which now include
 * `deployer`. Existing clients keep `agent`.
 */
export class MachineRoles extends Migration {
  override up(): void {
    this.addSql(`alter table "identity".users drop constraint users_roles_known`);
    this.addSql(`alter table "identity".users
      add constraint users_roles_known check (roles <@ ${textArray(ROLES)})`);
    this.addSql(`alter table "identity".agent_clients
      add column role text not null default 'agent',
      add constraint agent_clients_role_known check (role in (${MACHINE_ROLES.map((r) => `'${r}'`).join(',')})),
      add constraint agent_clients_deployer_hubs
        check (role <> 'deployer' or cardinality(hub_ids) > 0)`);
  }
}
