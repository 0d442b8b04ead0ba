/**
 * The policy agent's rules: terms that say a change touches personal data, accessibility or
 * security. A rule fires on any of its terms (whole words, case-insensitive); its scope is the
 * `policy_scope` the flag cites.
 */
export interface PolicyRule {
  readonly scope: string;
  readonly terms: readonly string[];
  readonly note: string;
}

export const POLICY_RULES: readonly PolicyRule[] = [
  {
    scope: 'personal-data',
    terms: [
      'email',
      'e-mail',
      'phone',
      'address',
      'birthday',
      'date of birth',
      'passport',
      'gdpr',
      'personal data',
      'location',
      'tracking',
      'cookie',
      'consent',
    ],
    note: 'Touches personal data: check the lawful basis, minimisation and retention.',
  },
  {
    scope: 'accessibility',
    terms: [
      'screen reader',
      'contrast',
      'keyboard',
      'aria',
      'a11y',
      'accessibility',
      'accessible',
      'colour blind',
      'color blind',
      'font size',
      'zoom',
      'focus',
      'caption',
      'wcag',
    ],
    note: 'Touches accessibility: check WCAG 2.2 AA (contrast, keyboard, labels, focus).',
  },
  {
    scope: 'security',
    terms: [
      'password',
      'token',
      'secret',
      'xss',
      'injection',
      'csrf',
      'login',
      'authentication',
      'encrypt',
      'encryption',
      'leak',
      'vulnerability',
      'permission',
      'session',
    ],
    note: 'Touches security: threat-model the change and review it with security.',
  },
];

/** A rule that fired, with the terms it found. */
export interface PolicyMatch {
  readonly rule: PolicyRule;
  readonly terms: string[];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The rules `text` triggers, most terms first. */
export function matchPolicies(text: string): PolicyMatch[] {
  const lower = text.toLowerCase();
  return POLICY_RULES.map((rule) => ({
    rule,
    terms: rule.terms.filter((t) =>
      new RegExp(`(^|[^\\p{L}])${escape(t)}([^\\p{L}]|$)`, 'u').test(lower),
    ),
  }))
    .filter((m) => m.terms.length > 0)
    .sort((a, b) => b.terms.length - a.terms.length);
}
