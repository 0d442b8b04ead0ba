import { readFileSync } from 'node:fs';
import { redactUrl, withDatabase } from '../database/database-url.js';
import { ensureDatabase } from '../database/ensure-database.js';
import { provisionServiceRole, SERVICE_ROLES } from '../database/service-role.js';

/**
 * `node libs/persistence/dist/cli/provision-service-roles.js`: gives each service its own role
 * and schema (compose's `db-roles` service, Kubernetes' `db-roles` Job; see deploy/README.md).
 *
 * - `DATABASE_URL`: an administrator's URL of the IHF database (created when missing);
 * - `IHF_DB_NAME`: the database, when the URL names another (CloudNativePG's superuser secret
 *   names `*`);
 * - `IHF_SERVICES`: comma-separated services (default: all seven);
 * - per service, its password in `IHF_DB_PASSWORD_<SERVICE>` (e.g. `IHF_DB_PASSWORD_FEEDBACK`,
 *   `IHF_DB_PASSWORD_DEPLOYMENT_OUTCOMES`) or in the file named by `..._FILE`; without either
 *   the role keeps its password (one set by CloudNativePG's managed roles, say).
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL (an administrator of the IHF database) is required');
  const adminUrl = process.env.IHF_DB_NAME ? withDatabase(url, process.env.IHF_DB_NAME) : url;
  const services = (process.env.IHF_SERVICES ?? Object.keys(SERVICE_ROLES).join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = services.filter((s) => !SERVICE_ROLES[s]);
  if (unknown.length) throw new Error(`Unknown service(s) in IHF_SERVICES: ${unknown.join(', ')}`);
  await ensureDatabase(adminUrl);
  for (const service of services) {
    const key = `IHF_DB_PASSWORD_${service.toUpperCase().replace(/-/g, '_')}`;
    const file = process.env[`${key}_FILE`];
    const password = file ? readFileSync(file, 'utf8').trim() : process.env[key];
    await provisionServiceRole(adminUrl, { ...SERVICE_ROLES[service], password });
    const { role, schema } = SERVICE_ROLES[service];
    process.stdout.write(
      `${service}: role ${role} owns schema ${schema}${password === undefined ? ' (password unchanged)' : ''}\n`,
    );
  }
  process.stdout.write(`Service roles ready in ${redactUrl(adminUrl)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`provision-service-roles failed: ${(error as Error).message}\n`);
  process.exit(1);
});
