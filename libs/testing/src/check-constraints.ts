import { Client } from 'pg';

/**
 * The CHECK constraints of a Postgres schema that list literal values (`col in ('a','b')`,
 * `roles <@ array['a','b']`), by constraint name, with the values in their written order. Lets
 * a service's test compare its database's value sets with the ones in libs/contracts.
 */
export async function checkConstraintLiterals(
  databaseUrl: string,
  schema: string,
): Promise<Record<string, string[]>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; definition: string }>(
      `select conname as name, pg_get_constraintdef(oid) as definition
         from pg_constraint
        where contype = 'c' and connamespace = $1::regnamespace
        order by conname`,
      [schema],
    );
    const found: Record<string, string[]> = {};
    for (const { name, definition } of rows) {
      // Postgres prints the list as ARRAY['a'::text, 'b'::text].
      const literals = [...definition.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) =>
        m[1].replace(/''/g, "'"),
      );
      if (literals.length >= 2) found[name] = literals;
    }
    return found;
  } finally {
    await client.end();
  }
}
