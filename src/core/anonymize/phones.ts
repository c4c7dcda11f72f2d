/**
 * Phone numbers, by shape rather than by validation: an international number (`+44 20 7946 0958`), a North American
 * one (`(415) 555-0132`, `415.555.0132`), a national number with a leading 0 split into groups (`020 7946 0958`,
 * `06 12 34 56 78`), or any digit run after a word such as "phone", "tel" or "mobile". Validating against numbering
 * plans (libphonenumber) would keep made-up but real-looking numbers, which are still someone's number in a lesson.
 * Dates, times, versions, IP addresses and long identifiers are shapes none of these take.
 */
import { pushSpan, type Span } from './spans';

const INTERNATIONAL = /(?<![\w+])\+\d{1,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){2,6}(?![\w+]|[.-]\d)/g;
const NANP = /(?<![\w.+-])(?:1[ .-])?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w]|[.-]\d)/g;
const TRUNK_IN_PARENS = /(?<![\w+])\(0\d{1,4}\)[ -]?\d{2,4}(?:[ -]?\d{2,4}){1,3}(?![\w]|[.-]\d)/g;
const NATIONAL = /(?<![\w.+-])0\d{1,4}(?:[ -]\d{2,4}){2,4}(?![\w]|[.-]\d)/g;
const KEYWORD = /\b(?:phone|tel|telephone|mobile|cell|cellphone|fax|sms|whatsapp|signal|call me at|ph|mob|contact number|phone number)\b[^\d\n+]{0,15}(\+?\d[\d ().-]{5,22}\d)(?![\w])/gi;

function digitCount(s: string): number {
  return s.replace(/\D/g, '').length;
}

/** Phone numbers (see the module comment for the shapes). */
export function findPhones(text: string, out: Span[]): void {
  if (!/\d{2}/.test(text)) return;
  const add = (start: number, value: string, detail: string, min: number, max: number): void => {
    const digits = digitCount(value);
    if (digits < min || digits > max) return;
    if (/^\d{4}-\d{2}-\d{2}/.test(value) || /^\d{1,2}:\d{2}/.test(value)) return;
    pushSpan(out, start, start + value.length, 'phone', detail, value.replace(/\D/g, '').replace(/^(?:00|1(?=\d{10}$))/, ''));
  };
  for (const m of text.matchAll(INTERNATIONAL)) add(m.index, m[0], 'international', 8, 15);
  for (const m of text.matchAll(NANP)) add(m.index, m[0], 'nanp', 10, 11);
  for (const m of text.matchAll(NATIONAL)) add(m.index, m[0], 'national', 9, 12);
  for (const m of text.matchAll(TRUNK_IN_PARENS)) add(m.index, m[0], 'national', 9, 12);
  for (const m of text.matchAll(KEYWORD)) add(m.index + m[0].length - m[1].length, m[1], 'labelled', 7, 15);
}
