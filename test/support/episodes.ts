/**
 * The episode files a code-server run recorded: the extension writes them under its storageUri
 * (`<user-data>/User/workspaceStorage/<hash>/oel.oel-agent/episodes/<id>.jsonl`), so e2e tests read what landed on disk.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One recorded episode file: its path and its parsed JSONL lines (header first). */
export interface RecordedEpisode { path: string; lines: Record<string, unknown>[] }

/** Every episode file under this run's user-data-dir. */
export function recordedEpisodes(userDataDir: string): RecordedEpisode[] {
  const files: string[] = [];
  const visit = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) visit(p);
      else if (n.endsWith('.jsonl') && p.includes('oel.oel-agent')) files.push(p);
    }
  };
  visit(join(userDataDir, 'User'));
  return files.map((path) => ({ path, lines: readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) }));
}

/** The lines of the last finished episode, waiting for its `end` step to be flushed. */
export async function lastEpisode(userDataDir: string, timeoutMs = 15_000): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Newest last by modification time (the `end` step is the file's last write): directory order is the file
    // system's, not time.
    const eps = recordedEpisodes(userDataDir).filter((e) => e.lines.some((s) => s.kind === 'end'))
      .sort((a, b) => statSync(a.path).mtimeMs - statSync(b.path).mtimeMs).map((e) => e.lines);
    if (eps.length) return eps[eps.length - 1];
    if (Date.now() > deadline) throw new Error(`no finished episode JSONL under ${userDataDir}/User`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
