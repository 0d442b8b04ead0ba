import { type DecisionOutcome } from '@ihf/contracts';
import { type DecisionDetailView } from '../requirements/dto/requirement.dto.js';

/** MADR's status of a decision with this outcome (MADR knows proposed/rejected/accepted/…). */
const MADR_STATUS: Record<DecisionOutcome, string> = {
  approved: 'accepted',
  rejected: 'rejected',
  deferred: 'proposed',
  needs_information: 'proposed',
};

/** One line, for headings and front matter values. */
const line = (s: string): string => s.replace(/\s+/g, ' ').trim();
/** A YAML double-quoted scalar. */
const yaml = (s: string): string => JSON.stringify(line(s));

/** Who decided, for the record: the name governance knows, else the user id. */
export interface DeciderName {
  readonly decided_by_name: string | null;
}

/**
 * Renders a decision as a Markdown Architectural Decision Record (MADR 3: YAML front matter
 * with status, date and deciders, then context, outcome and links), so that teams keeping
 * ADRs in their repository can commit it as it is. Pure.
 */
export function renderMadr(
  d: DecisionDetailView & DeciderName,
  subject: { requirementTitle: string | null; candidateTitle: string | null },
): string {
  const status = d.superseded_by_id
    ? `superseded by ${d.superseded_by_id}`
    : MADR_STATUS[d.outcome];
  const out: string[] = [
    '---',
    `status: ${yaml(status)}`,
    `date: ${d.decided_at.slice(0, 10)}`,
    `deciders: ${yaml(d.decided_by_name ?? d.decided_by ?? 'unknown')}`,
    `outcome: ${d.outcome}`,
    `decision-id: ${d.id}`,
    '---',
    '',
    `# ${line(d.title)}`,
    '',
    '## Context and Problem Statement',
    '',
  ];
  if (d.requirement_id) {
    out.push(
      `Requirement ${d.requirement_id}${subject.requirementTitle ? `: ${line(subject.requirementTitle)}` : ''}.`,
    );
  }
  if (d.candidate_id) {
    out.push(
      `Requirement candidate ${d.candidate_id}${subject.candidateTitle ? `: ${line(subject.candidateTitle)}` : ''}.`,
    );
  }
  out.push(
    '',
    '## Decision Outcome',
    '',
    `Outcome: **${d.outcome}**, because:`,
    '',
    d.rationale.trim(),
    '',
  );
  if (d.notes) out.push('### Notes', '', d.notes.trim(), '');
  if (d.policy_references.length) {
    out.push('### Policy', '');
    for (const p of d.policy_references) {
      out.push(
        `* ${line(p.policy_scope)}${p.constraint_note ? `: ${line(p.constraint_note)}` : ''}`,
      );
    }
    out.push('');
  }
  const links: string[] = [];
  if (d.supersedes_id) links.push(`* Supersedes decision ${d.supersedes_id}`);
  if (d.superseded_by_id) links.push(`* Superseded by decision ${d.superseded_by_id}`);
  for (const w of d.work_items) {
    links.push(
      `* ${w.system} [${w.work_item_ref.replace(/[[\]]/g, '\\$&')}](${w.url.replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'))}) (${w.state})`,
    );
  }
  if (links.length) out.push('## Links', '', ...links, '');
  return out.join('\n');
}
