/**
 * The incremental summary behind the Learning view: the {@link EpisodeFacts} of every episode in a folder, each
 * remembered with the size and modification time of the file it was read from. A refresh lists the folder and stats
 * each file, and reads only the files that are new or changed (episode files are append-only, so feedback or an
 * `edit_check` appended later changes the size). The summary is persisted atomically next to the episodes, as JSON
 * Lines, so a window that opens the view reads one small file instead of every episode.
 *
 * Nothing here blocks for long: files are read with async I/O, and the loop yields to the event loop whenever it has
 * worked for {@link SummaryOptions.sliceMs} (measured in bench/learning/summary.bench.ts, docs/benchmarks.md).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomicWrite';
import { CorruptEpisodeError, parseEpisodeFile } from '../trajectory/episodeFile';
import { EpisodeFactsSchema, FACTS_VERSION, factsOf, type EpisodeFacts } from './facts';

/** Episode file names the summary reads: `<id>.jsonl` with an id as `newEpisodeId` makes them (or a test's `e-…`). */
const EPISODE_FILE_RE = /^([A-Za-z0-9][A-Za-z0-9_-]{0,99})\.jsonl$/;
/** Episode files larger than this are skipped with a warning rather than read into memory whole. */
export const MAX_EPISODE_BYTES = 64 * 1024 * 1024;
/** How many files are stat'ed at once during a refresh. */
const STAT_BATCH = 64;

/**
 * The persisted summary is JSON Lines: a first line `{"version":1,"factsVersion":N}`, then one row per episode file,
 * `[size, mtimeMs, facts]`. One line per row lets loading parse and check it in slices, yielding in between, where
 * one 4 MB JSON document (10,000 episodes) would block the extension host for its whole parse.
 */
const SUMMARY_VERSION = 1;
const SummaryHeadSchema = z.object({ version: z.literal(SUMMARY_VERSION), factsVersion: z.number().int() });
const RowSchema = z.tuple([z.number().nonnegative(), z.number().nonnegative(), EpisodeFactsSchema]);

interface Entry { size: number; mtimeMs: number; facts: EpisodeFacts }

/** Where the summary lives and how it behaves. */
export interface SummaryOptions {
  /** Folder of `<id>.jsonl` episode files. */
  episodesDir: string;
  /** The persisted summary (JSON Lines, written atomically); null keeps it in memory only. */
  file: string | null;
  /** Warnings: a corrupt summary rebuilt, an unreadable or oversized episode skipped. */
  warn?: (message: string) => void;
  /** Longest stretch of synchronous work before yielding to the event loop, in ms (default 8). */
  sliceMs?: number;
}

/** What a refresh did. */
export interface RefreshResult {
  /** Episode files read (new or changed). */
  read: number;
  /** Episodes dropped because their file is gone. */
  removed: number;
  /** Files whose facts were still current. */
  unchanged: number;
  /** Files skipped (unreadable header, too large). */
  skipped: number;
}

/** Progress of a refresh: files looked at so far out of the folder's total. */
export type RefreshProgress = (done: number, total: number) => void;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The per-episode facts of one episodes folder. Create with {@link LearningSummary.open}. */
export class LearningSummary {
  private readonly entries = new Map<string, Entry>();
  private dirty = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly warn: (message: string) => void;
  private readonly sliceMs: number;

  private constructor(private readonly opts: SummaryOptions) {
    this.warn = opts.warn ?? (() => {});
    this.sliceMs = opts.sliceMs ?? 8;
  }

  /**
   * Loads the persisted summary (when there is one). A summary that cannot be read, or that an older version of the
   * facts wrote, is dropped with a warning (unless merely outdated) and rebuilt by the next {@link refresh}: it is a
   * cache of the episode files, which stay the source of truth.
   */
  static async open(opts: SummaryOptions): Promise<LearningSummary> {
    const s = new LearningSummary(opts);
    if (opts.file) await s.load(opts.file);
    return s;
  }

  private async load(file: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`learning summary ${file} could not be read (${(e as Error).message}); rebuilding it`);
      return;
    }
    const lines = text.split('\n');
    let head: z.infer<typeof SummaryHeadSchema>;
    try {
      head = SummaryHeadSchema.parse(JSON.parse(lines[0]));
    } catch (e) {
      this.warn(`learning summary ${file} is not valid (${(e as Error).message.slice(0, 200)}); rebuilding it from the episode files`);
      this.dirty = true;
      return;
    }
    // Facts computed by another version of factsOf are recomputed from the episodes.
    if (head.factsVersion !== FACTS_VERSION) { this.dirty = true; return; }
    let bad = 0;
    let sliceStart = performance.now();
    for (let i = 1; i < lines.length; i++) {
      if (!lines[i]) continue;
      let row: z.infer<typeof RowSchema> | null = null;
      try {
        const r = RowSchema.safeParse(JSON.parse(lines[i]));
        if (r.success) row = r.data;
      } catch { /* counted below */ }
      // A row that is not valid, or whose id is no episode file name, is not trusted: the next refresh re-reads
      // that episode, whose file is the source of truth.
      if (row && EPISODE_FILE_RE.test(`${row[2].id}.jsonl`)) this.entries.set(row[2].id, { size: row[0], mtimeMs: row[1], facts: row[2] });
      else bad++;
      if (performance.now() - sliceStart > this.sliceMs) { await yieldToEventLoop(); sliceStart = performance.now(); }
    }
    if (bad) {
      this.warn(`learning summary ${file}: ${bad} unreadable row(s) left out; those episodes are read again`);
      this.dirty = true;
    }
  }

  /** Facts of every summarized episode, oldest first. */
  facts(): EpisodeFacts[] {
    return [...this.entries.values()].map((e) => e.facts).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** Number of summarized episodes. */
  get size(): number { return this.entries.size; }

  /** Whether something changed since the last {@link save}. */
  get isDirty(): boolean { return this.dirty; }

  /**
   * Brings the summary up to date with the folder: new and changed files are read, facts of deleted files dropped.
   * Serialized with {@link update} and {@link save}; the returned promise settles when this refresh has finished.
   */
  refresh(onProgress?: RefreshProgress): Promise<RefreshResult> {
    return this.serialize(() => this.doRefresh(onProgress));
  }

  /** Re-reads one episode (a task just ended). Cheaper than a refresh: one stat, one read. */
  update(episodeId: string): Promise<void> {
    return this.serialize(async () => {
      const name = `${episodeId}.jsonl`;
      if (!EPISODE_FILE_RE.test(name)) return;
      const file = join(this.opts.episodesDir, name);
      const st = await stat(file).catch(() => null);
      if (!st?.isFile()) {
        if (this.entries.delete(episodeId)) this.dirty = true;
        return;
      }
      await this.readOne(episodeId, file, st.size, st.mtimeMs);
    });
  }

  /** Writes the summary atomically when it changed; a no-op otherwise. */
  save(): Promise<void> {
    return this.serialize(async () => {
      if (!this.opts.file || !this.dirty) return;
      const lines = [JSON.stringify({ version: SUMMARY_VERSION, factsVersion: FACTS_VERSION })];
      let sliceStart = performance.now();
      for (const e of [...this.entries.values()]) {
        lines.push(JSON.stringify([e.size, e.mtimeMs, e.facts]));
        if (performance.now() - sliceStart > this.sliceMs) { await yieldToEventLoop(); sliceStart = performance.now(); }
      }
      this.dirty = false;
      try {
        await writeFileAtomic(this.opts.file, lines.join('\n') + '\n');
      } catch (e) {
        this.dirty = true;
        throw e;
      }
    });
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async doRefresh(onProgress?: RefreshProgress): Promise<RefreshResult> {
    const result: RefreshResult = { read: 0, removed: 0, unchanged: 0, skipped: 0 };
    let names: string[];
    try {
      names = await readdir(this.opts.episodesDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      names = [];
    }
    const ids = new Map<string, string>();
    for (const n of names) {
      const m = EPISODE_FILE_RE.exec(n);
      if (m) ids.set(m[1], join(this.opts.episodesDir, n));
    }
    for (const id of [...this.entries.keys()]) {
      if (!ids.has(id)) { this.entries.delete(id); result.removed++; this.dirty = true; }
    }
    const all = [...ids];
    let done = 0;
    let sliceStart = performance.now();
    for (let i = 0; i < all.length; i += STAT_BATCH) {
      const batch = all.slice(i, i + STAT_BATCH);
      const stats = await Promise.all(batch.map(([, file]) => stat(file).catch(() => null)));
      sliceStart = performance.now();
      for (let j = 0; j < batch.length; j++) {
        const [id, file] = batch[j];
        const st = stats[j];
        done++;
        if (!st?.isFile()) continue;
        const known = this.entries.get(id);
        if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) { result.unchanged++; continue; }
        if (await this.readOne(id, file, st.size, st.mtimeMs)) result.read++;
        else result.skipped++;
        if (performance.now() - sliceStart > this.sliceMs) {
          onProgress?.(done, all.length);
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
      }
      onProgress?.(done, all.length);
    }
    return result;
  }

  /** Reads and summarizes one file; false when it was skipped. */
  private async readOne(id: string, file: string, size: number, mtimeMs: number): Promise<boolean> {
    if (size > MAX_EPISODE_BYTES) {
      this.warn(`learning: episode ${id} is ${Math.round(size / 1048576)} MiB, over the ${MAX_EPISODE_BYTES / 1048576} MiB the summary reads; left out`);
      return this.forget(id);
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return this.forget(id); // deleted meanwhile
    }
    try {
      const facts = factsOf(parseEpisodeFile(text, this.warn));
      // The header is the file's own; an id that disagrees with the file name would let one file shadow another.
      if (facts.id !== id) { this.warn(`learning: episode file ${id}.jsonl says it is ${facts.id.slice(0, 100)}; left out`); return this.forget(id); }
      this.entries.set(id, { size, mtimeMs, facts });
      this.dirty = true;
      return true;
    } catch (e) {
      if (!(e instanceof CorruptEpisodeError)) throw e;
      // The trajectory store sets corrupt files aside; the summary only leaves them out.
      return this.forget(id);
    }
  }

  private forget(id: string): false {
    if (this.entries.delete(id)) this.dirty = true;
    return false;
  }
}
