/**
 * DOM helpers of the Learning view. Everything is built with textContent, never innerHTML: item texts come from a
 * repository's knowledge file and must not become markup.
 */

// Elements and codicons as the Agent view makes them: one helper for every webview.
export { el, icon } from './agent/dom';

/** A local `YYYY-MM-DD` date as a short label ("3 Mar"), in the view's locale. */
export function dayLabel(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

/** A number for people: thousands separated, at most one decimal; "–" for none. */
export function num(n: number | null): string {
  return n === null ? '–' : n.toLocaleString(undefined, { maximumFractionDigits: 1 });
}

/** `part` of `whole` as a whole percentage, or null when `whole` is 0. */
export function percent(part: number, whole: number): number | null {
  return whole ? Math.round((part / whole) * 100) : null;
}
