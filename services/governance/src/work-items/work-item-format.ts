import { type WorkItemSystem } from '@ihf/contracts';

/** Per-hub base URLs of self-hosted (or per-organisation) trackers. */
export interface TrackerBaseUrls {
  readonly jira_base_url: string | null;
  readonly gitlab_base_url: string | null;
  readonly linear_base_url: string | null;
  readonly azure_boards_base_url: string | null;
}

/** A checked work-item reference: its canonical form, URL and webhook key. */
export interface ParsedWorkItem {
  readonly ref: string;
  readonly url: string;
  /** `github:owner/repo#n` (lower case) for the items a webhook can report on, else null. */
  readonly trackerKey: string | null;
}

/** Why a reference was refused (422 for the caller). */
export type WorkItemFormatProblem =
  | { readonly problem: 'format'; readonly expected: string }
  | { readonly problem: 'base_url'; readonly setting: keyof TrackerBaseUrls };

const NUMBER = '([1-9][0-9]{0,9})';
const FORMATS: Record<WorkItemSystem, { re: RegExp; expected: string }> = {
  // GitHub: owner (≤ 39, letters, digits, inner hyphens), repository (letters, digits . _ -).
  github: {
    re: new RegExp(
      `^([A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?)/([A-Za-z0-9._-]{1,100})#${NUMBER}$`,
    ),
    expected: 'owner/repo#123 (an issue or a pull request)',
  },
  // GitLab: group/subgroups/project, then #issue or !merge request.
  gitlab: {
    re: new RegExp(`^([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+)([#!])${NUMBER}$`),
    expected: 'group/project#12 (issue) or group/project!7 (merge request)',
  },
  jira: { re: new RegExp(`^([A-Z][A-Z0-9_]{1,9})-${NUMBER}$`), expected: 'PROJ-42' },
  linear: { re: new RegExp(`^([A-Z][A-Z0-9]{0,9})-${NUMBER}$`), expected: 'ENG-42' },
  azure_boards: { re: new RegExp(`^AB#${NUMBER}$`), expected: 'AB#123' },
  url: { re: /^https:\/\/\S+$/, expected: 'an https URL' },
};

const trimSlash = (s: string): string => s.replace(/\/+$/, '');

/**
 * Checks `ref` against the format of `system` and derives the item's URL (with the hub's base
 * URL for jira, linear, azure boards, and gitlab when self-hosted). Pure.
 */
export function parseWorkItem(
  system: WorkItemSystem,
  rawRef: string,
  bases: TrackerBaseUrls,
): ParsedWorkItem | WorkItemFormatProblem {
  const ref = rawRef.trim();
  const { re, expected } = FORMATS[system];
  const m = re.exec(ref);
  if (!m || ref.length > 2000) return { problem: 'format', expected };
  switch (system) {
    case 'github': {
      const [, owner, repo, n] = m;
      if (repo === '.' || repo === '..') return { problem: 'format', expected };
      return {
        ref,
        // GitHub redirects /issues/n to /pull/n when n is a pull request.
        url: `https://github.com/${owner}/${repo}/issues/${n}`,
        trackerKey: `github:${owner}/${repo}#${n}`.toLowerCase(),
      };
    }
    case 'gitlab': {
      const [, path, sigil, n] = m;
      const base = trimSlash(bases.gitlab_base_url ?? 'https://gitlab.com');
      const kind = sigil === '#' ? 'issues' : 'merge_requests';
      return { ref, url: `${base}/${path}/-/${kind}/${n}`, trackerKey: null };
    }
    case 'jira': {
      if (!bases.jira_base_url) return { problem: 'base_url', setting: 'jira_base_url' };
      return { ref, url: `${trimSlash(bases.jira_base_url)}/browse/${ref}`, trackerKey: null };
    }
    case 'linear': {
      if (!bases.linear_base_url) return { problem: 'base_url', setting: 'linear_base_url' };
      return { ref, url: `${trimSlash(bases.linear_base_url)}/issue/${ref}`, trackerKey: null };
    }
    case 'azure_boards': {
      if (!bases.azure_boards_base_url) {
        return { problem: 'base_url', setting: 'azure_boards_base_url' };
      }
      const base = trimSlash(bases.azure_boards_base_url);
      return { ref, url: `${base}/_workitems/edit/${m[1]}`, trackerKey: null };
    }
    case 'url': {
      let url: URL;
      try {
        url = new URL(ref);
      } catch {
        return { problem: 'format', expected };
      }
      if (url.protocol !== 'https:' || !url.hostname) return { problem: 'format', expected };
      return { ref, url: url.toString(), trackerKey: null };
    }
  }
}

export function isFormatProblem(
  r: ParsedWorkItem | WorkItemFormatProblem,
): r is WorkItemFormatProblem {
  return 'problem' in r;
}
