/**
 * A cheap token estimate for budgets: the knowledge slot's budget, the extraction prompt's trajectory budget. The
 * models behind an OpenAI-compatible endpoint each have their own tokenizer, so an exact count for one of them (the
 * 2.76 MB gpt-tokenizer this replaced) bought nothing but bundle size and time. The estimate follows how BPE
 * tokenizers cut text: a pre-tokenizer splits it into words (with their leading space), digit groups of up to three,
 * punctuation runs and whitespace runs; a short word is one token, a longer one a token per ~4.5 letters beyond that.
 * Its error against gpt-tokenizer is measured in `bench/knowledge/tokens.bench.ts` (docs/benchmarks.md) and leans high,
 * so a budget counted with it is not overrun.
 */

// Same split as a GPT pre-tokenizer, simplified: a word with its leading space, 1-3 digits, punctuation, whitespace.
const PIECE = /( ?\p{L}+)|( ?\p{N}{1,3})|( ?[^\s\p{L}\p{N}]+)|(\s+)/gu;

/** Tokens of a word (letters only, no leading space). */
function wordTokens(word: string): number {
  // Scripts other than Latin, Greek and Cyrillic (CJK, ...) take about one token per character or less.
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c > 0x52f) return word.length;
  }
  return word.length <= 7 ? 1 : 1 + (word.length - 7) / 4.5;
}

/** Estimated token count of `text` (see the module comment for how, and how close it is). */
export function approxTokens(text: string): number {
  let n = 0;
  for (const m of text.matchAll(PIECE)) {
    if (m[1] !== undefined) n += wordTokens(m[1].charCodeAt(0) === 32 ? m[1].slice(1) : m[1]);
    else if (m[2] !== undefined) n += 1;
    else if (m[3] !== undefined) {
      // Punctuation: short runs merge into one token, longer ones about two characters a token.
      const len = m[3].charCodeAt(0) === 32 ? m[3].length - 1 : m[3].length;
      n += len <= 2 ? 1 : len / 2;
    } else n += 1; // a whitespace run: a newline, indentation
  }
  return Math.ceil(n);
}
