/**
 * Extractive text helpers of the built-in agents: no model, no network. Sentences are scored
 * by the frequency of their content words across the whole thread (a word many people use is
 * what the thread is about), so the summary is made of the thread's own sentences.
 */

const STOPWORDS = new Set(
  `a an the and or but if then so of to in on at by for with from as is are was were be been being
   it its this that these those i me my we our you your he she they them their there here not no
   do does did done have has had can could would should will just very too also when what which
   who how why all any some more most other than into out up down over again only own same such
   after before about because while where each few both once am`.split(/\s+/),
);

/** Lower-case content words of a text (letters and digits, stopwords and 1-letter words dropped). */
export function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter(
    (w) => w.length > 1 && !STOPWORDS.has(w),
  );
}

/** Sentences of a text: split after . ! ? or at line breaks, trimmed, with a content word. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => contentWords(s).length > 0);
}

/** A summary and how much of the thread's vocabulary it covers. */
export interface ExtractiveSummary {
  readonly sentences: string[];
  /** Share (0..1) of the thread's distinct content words the chosen sentences contain. */
  readonly coverage: number;
}

/**
 * Picks up to `max` sentences of `texts` with the highest mean word frequency (each sentence
 * once), returned in their original order.
 */
export function summarise(texts: readonly string[], max = 3): ExtractiveSummary {
  const all = texts.flatMap((t) => sentences(t));
  const freq = new Map<string, number>();
  for (const w of texts.flatMap(contentWords)) freq.set(w, (freq.get(w) ?? 0) + 1);
  if (!all.length || !freq.size) return { sentences: [], coverage: 0 };
  const seen = new Set<string>();
  const scored = all
    .map((s, index) => {
      const words = contentWords(s);
      const score = words.reduce((sum, w) => sum + (freq.get(w) ?? 0), 0) / Math.sqrt(words.length);
      return { s, index, score };
    })
    .filter(({ s }) => {
      const key = s.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, max)
    .sort((a, b) => a.index - b.index);
  const covered = new Set(scored.flatMap(({ s }) => contentWords(s)));
  return { sentences: scored.map(({ s }) => s), coverage: covered.size / freq.size };
}

/** `text` cut to `max` characters at a word boundary, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
