/** Caps text for the model and for storage, keeping head and tail, and says how much was cut. */

/** Text cut to a size, with what it was before. */
export interface Truncated { text: string; originalSize: number; truncated: boolean }

/**
 * Keeps the first two thirds and the last third of `maxChars`, with a marker naming the original size, because the
 * end of a command's output (the error) matters as much as its start.
 */
export function truncateMiddle(text: string, maxChars: number): Truncated {
  if (text.length <= maxChars) return { text, originalSize: text.length, truncated: false };
  const head = Math.floor((maxChars * 2) / 3);
  const tail = maxChars - head;
  const marker = `\n[... truncated: ${text.length - maxChars} of ${text.length} characters omitted ...]\n`;
  return { text: text.slice(0, head) + marker + text.slice(text.length - tail), originalSize: text.length, truncated: true };
}
