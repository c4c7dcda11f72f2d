/** Files the extension writes, as the e2e tests wait for and find them. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Files named `name` under `dir`, at any depth. */
export function findFiles(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? findFiles(p, name) : n === name ? [p] : [];
  });
}

/** Polls a file until `pred` holds for its text (a missing file reads as ''); returns that text. */
export async function waitForFile(path: string, pred: (text: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (pred(text)) return text;
    if (Date.now() > deadline) throw new Error(`${what}: not in ${path} after ${timeoutMs} ms:\n${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
