import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { VALUE_SETS } from './value-sets.js';

const ROOT = join(__dirname, '../../../..');

/**
 * Migrations are history: they write their lists out and are never edited. The CHECK
 * constraints they create are compared with the value sets by each service's
 * `test/value-set-checks.int-spec.ts`, which fails when a set moves (then a new migration
 * changes the CHECK).
 */
const MIGRATIONS = /\/src\/migrations\//;

function* sourceFiles(dir: string): Generator<string> {
  // A workspace registered before its code exists has no src/ yet.
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts')) yield path;
  }
}

/** Runs of two or more quoted words separated by `,` or `|`: array literals, unions, SQL lists. */
const LITERAL_RUN = /(['"`])[a-z][a-z0-9_]*\1(?:\s*[,|]\s*(['"`])[a-z][a-z0-9_]*\2)+/g;
const WORD = /(['"`])([a-z][a-z0-9_]*)\1/g;
/** `@IsIn([...])` with literals: a DTO must name its value set. */
const IS_IN_LITERALS = /@IsIn\(\s*\[([^\]]*)\]/g;

interface Copy {
  readonly file: string;
  readonly valueSet: string;
  readonly literals: string[];
}

/**
 * Copies of a contracts value set in `text`: every value of the set spelled out (alone or with
 * others), or `@IsIn` literals taken from a set.
 */
export function findCopies(file: string, text: string): Copy[] {
  const copies: Copy[] = [];
  const sets = Object.entries(VALUE_SETS) as [string, readonly string[]][];
  for (const run of text.matchAll(LITERAL_RUN)) {
    const literals = [...run[0].matchAll(WORD)].map((m) => m[2]);
    const unique = new Set(literals);
    for (const [valueSet, values] of sets) {
      // The whole set, or more (an extended copy is how a producer came to accept values its
      // consumer refuses).
      if (values.every((v) => unique.has(v))) copies.push({ file, valueSet, literals });
    }
  }
  for (const isIn of text.matchAll(IS_IN_LITERALS)) {
    const literals = [...isIn[1].matchAll(WORD)].map((m) => m[2]);
    for (const [valueSet, values] of sets) {
      if (literals.some((l) => values.includes(l))) copies.push({ file, valueSet, literals });
    }
  }
  return copies;
}

describe('value sets crossing a service boundary', () => {
  it('are declared nowhere in services but in libs/contracts', () => {
    const copies: Copy[] = [];
    for (const service of readdirSync(join(ROOT, 'services'))) {
      for (const path of sourceFiles(join(ROOT, 'services', service, 'src'))) {
        const file = relative(ROOT, path);
        if (MIGRATIONS.test(file)) continue;
        copies.push(...findCopies(file, readFileSync(path, 'utf8')));
      }
    }
    // Import the value set from @ihf/contracts (a subset: filter it, as widget.dto.ts does).
    expect(copies).toEqual([]);
  });

  it('finds a copy spelled as an array, a union, an SQL list or @IsIn literals', () => {
    expect(
      findCopies('a.ts', `const C = ['friction', 'bug', 'idea', 'question', 'praise'];`),
    ).toHaveLength(1);
    expect(findCopies('a.ts', `type S = 'low' | 'medium' | 'high' | 'critical';`)).toHaveLength(1);
    expect(findCopies('a.ts', "check (source in ('ingestion','api'))")).toHaveLength(1);
    expect(findCopies('a.ts', `@IsIn(['in_review', 'duplicate'])`)).toEqual([
      { file: 'a.ts', valueSet: 'CANDIDATE_STATUSES', literals: ['in_review', 'duplicate'] },
    ]);
    expect(
      findCopies('a.ts', `['friction', 'bug', 'idea', 'question', 'praise', 'other']`),
    ).toHaveLength(1);
    // A typed subset in domain code (a transition table) is not a copy.
    expect(findCopies('a.ts', `open: ['in_review', 'duplicate'],`)).toEqual([]);
  });

  it("are mirrored exactly by the browser SDK's annotation dialog (it cannot import them)", () => {
    const sdk = readFileSync(join(ROOT, 'libs/sdk-web/src/annotate/index.ts'), 'utf8');
    const literal = (name: string): string[] => {
      const list = new RegExp(`export const ${name} = \\[([^\\]]*)\\]`).exec(sdk)?.[1] ?? '';
      return [...list.matchAll(WORD)].map((m) => m[2]);
    };
    expect(literal('CATEGORIES')).toEqual(VALUE_SETS.ANNOTATION_CATEGORIES);
    expect(literal('SEVERITIES')).toEqual(VALUE_SETS.SEVERITIES);
    // The reporter's actor types (a union type in the SDK's core, which ships no arrays).
    const reporter = readFileSync(join(ROOT, 'libs/sdk-web/src/reporter.ts'), 'utf8');
    const union = /export type ActorType = ([^;]*);/.exec(reporter)?.[1] ?? '';
    expect([...union.matchAll(WORD)].map((m) => m[2])).toEqual(VALUE_SETS.ACTOR_TYPES);
  });
});
