/**
 * The character trigrams of an already-normalized text, padded with a space at each end so that word starts and ends
 * count. The basis of the lexical near-duplicate measures of the knowledge file and of the team server.
 */
export function characterTrigrams(normalized: string): Set<string> {
  const s = ` ${normalized} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= s.length; i++) out.add(s.slice(i, i + 3));
  return out;
}
