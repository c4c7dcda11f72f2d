/** What `GET /v1/status` reports about the machine: the trainer's Python, and the data folder's disk use. */
import { spawn } from 'node:child_process';
import { lstatSync, readdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

/** The trainer check's answer; `available` is null until the first check has finished. */
export interface TrainerStatus { available: boolean | null; detail: string; checked_at: string | null }

/** A check is reused for this long: importing torch takes seconds of CPU, and the answer rarely changes. */
const PROBE_TTL_MS = 60_000;
const PROBE_TIMEOUT_MS = 60_000;

/**
 * Checks that the configured Python can import torch and the trainer package, the way a round will run it. Checked
 * on demand (not at start: most servers never open the status page, and tests start many servers), then cached.
 */
export class TrainerProbe {
  private last: TrainerStatus = { available: null, detail: 'not checked yet', checked_at: null };
  private checkedAt = 0;
  private pending: Promise<TrainerStatus> | null = null;

  constructor(private readonly python: string, private readonly trainerPath: string) {}

  /** The cached answer, refreshed (and awaited) when older than a minute. */
  status(): Promise<TrainerStatus> {
    if (Date.now() - this.checkedAt < PROBE_TTL_MS) return Promise.resolve(this.last);
    this.pending ??= this.check().then((s) => { this.last = s; this.checkedAt = Date.now(); this.pending = null; return s; });
    return this.pending;
  }

  private check(): Promise<TrainerStatus> {
    const env = { ...process.env, PYTHONPATH: [this.trainerPath, process.env.PYTHONPATH].filter(Boolean).join(':') };
    const code = 'import torch, oel_trainer; print("torch " + torch.__version__)';
    return new Promise((resolve) => {
      const at = () => new Date().toISOString();
      let out = '';
      const child = spawn(this.python, ['-c', code], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
      child.on('error', (e) => { clearTimeout(timer); resolve({ available: false, detail: `cannot start ${this.python}: ${e.message}`, checked_at: at() }); });
      child.on('close', (status) => {
        clearTimeout(timer);
        const lastLine = out.trim().split('\n').pop()?.slice(0, 500) ?? '';
        resolve(status === 0
          ? { available: true, detail: `${this.python}: ${lastLine}`, checked_at: at() }
          : { available: false, detail: `${this.python} -m oel_trainer cannot run: ${lastLine || `exit status ${status}`}`, checked_at: at() });
      });
    });
  }
}

/** Bytes of the regular files under a folder (symlinks are not followed), stopping after `maxEntries` entries. */
export function dataDirBytes(dir: string, maxEntries = 200_000): number {
  let total = 0;
  let seen = 0;
  const stack = [dir];
  while (stack.length && seen < maxEntries) {
    const d = stack.pop()!;
    let names: string[];
    try { names = readdirSync(d); } catch { continue; }
    for (const n of names) {
      if (++seen > maxEntries) break;
      const p = join(d, n);
      try {
        const st = lstatSync(p);
        if (st.isDirectory()) stack.push(p);
        else if (st.isFile()) total += st.size;
      } catch { /* removed while walking */ }
    }
  }
  return total;
}

/** Free and total bytes of the file system holding `dir` (null where the platform cannot say). */
export function diskSpace(dir: string): { free_bytes: number | null; total_bytes: number | null } {
  try {
    const s = statfsSync(dir);
    return { free_bytes: s.bavail * s.bsize, total_bytes: s.blocks * s.bsize };
  } catch {
    return { free_bytes: null, total_bytes: null };
  }
}
