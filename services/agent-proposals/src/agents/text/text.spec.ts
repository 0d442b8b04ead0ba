import { contentWords, sentences, summarise, truncate } from './extractive.js';
import { matchPolicies } from './policy-rules.js';

describe('extractive summaries', () => {
  it('splits sentences and keeps content words only', () => {
    expect(sentences('The button is hidden. Why?\nIt is grey!')).toEqual([
      'The button is hidden.',
      'It is grey!',
    ]);
    expect(contentWords('The checkout button is HIDDEN')).toEqual(['checkout', 'button', 'hidden']);
  });

  it('picks the sentences about what the thread repeats, in their order', () => {
    const s = summarise(
      [
        'The checkout button is hidden below the fold. I like the colours.',
        'I cannot find the checkout button on mobile.',
        'Checkout button hidden, had to scroll. Weather is nice today.',
      ],
      2,
    );
    expect(s.sentences).toHaveLength(2);
    for (const sentence of s.sentences) expect(sentence.toLowerCase()).toContain('checkout button');
    expect(s.sentences.join(' ')).not.toContain('Weather');
    expect(s.coverage).toBeGreaterThan(0);
    expect(s.coverage).toBeLessThan(1);
  });

  it('has nothing to say about nothing', () => {
    expect(summarise(['', '  '])).toEqual({ sentences: [], coverage: 0 });
  });

  it('truncates at a word boundary', () => {
    expect(truncate('make the checkout button visible', 20)).toBe('make the checkout…');
    expect(truncate('short', 20)).toBe('short');
  });
});

describe('policy rules', () => {
  it('finds personal data, accessibility and security terms as whole words', () => {
    const m = matchPolicies('Show the e-mail address and phone in the profile; fix the contrast');
    expect(m.map((x) => x.rule.scope)).toEqual(['personal-data', 'accessibility']);
    expect(m[0].terms).toEqual(['e-mail', 'phone', 'address']);
    expect(matchPolicies('Rename the tokenizer')).toEqual([]);
  });
});
