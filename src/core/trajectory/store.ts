/**
 * The trajectory store: one JSON Lines file per episode in a workspace-scoped folder, plus a small index (lowdb) in a
 * user-scoped file that the history list reads. The index is written on create/finish/feedback/delete only, never per
 * step, because lowdb rewrites its whole file on every write. Corrupt files are set aside and the store carries on.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Episode, EpisodeHeader, EndReason, Step } from './episode';
import { CorruptEpisodeError, EpisodeWriter, readEpisodeFile } from './episodeFile';

/** One row of the history list. */
export interface EpisodeSummary {
  id: string;
  title: string;
  startedAt: string;
  endedAt: string | null;
  endReason: EndReason | null;
  feedback: 'up' | 'down' | null;
  workspace: string;
  /** Absolute path of the episode file (episodes of other workspaces may be listed too). */
  file: string;
  /** The team adapter version the task ran with (`<server>#<version>`), when one was active. */
  adapter?: string;
}

interface IndexData { version: 1; episodes: EpisodeSummary[] }

/** Where the store keeps its files; VS Code passes storageUri / globalStorageUri paths. */
export interface TrajectoryStoreOptions {
  /** Workspace-scoped folder holding `<id>.jsonl` episode files. */
  episodesDir: string;
  /** User-scoped index file (JSON, written atomically by lowdb). */
  indexFile: string;
  /** Warnings (corrupt files set aside, skipped lines). */
  warn?: (message: string) => void;
}

/** Retention settings; absent means unlimited. */
export interface RetentionPolicy { maxDays?: number; maxEpisodes?: number }

function setAside(path: string): string {
  const target = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, target);
  return target;
}

/** Stores episodes; see docs/trajectory.md for the layout. Create with {@link TrajectoryStore.open}. */
export class TrajectoryStore {
  private readonly writers = new Map<string, EpisodeWriter>();
  private indexChain: Promise<void> = Promise.resolve();
  private readonly warn: (message: string) => void;

  private constructor(private readonly opts: TrajectoryStoreOptions, private readonly db: Low<IndexData>) {
    this.warn = opts.warn ?? (() => {});
  }

  /** Opens the store, creating folders; a corrupt index is set aside and rebuilt from the episode files. */
  static async open(opts: TrajectoryStoreOptions): Promise<TrajectoryStore> {
    mkdirSync(opts.episodesDir, { recursive: true });
    mkdirSync(join(opts.indexFile, '..'), { recursive: true });
    const db = new Low<IndexData>(new JSONFile<IndexData>(opts.indexFile), { version: 1, episodes: [] });
    const store = new TrajectoryStore(opts, db);
    await store.mutate((rows) => [...rows, ...store.scanEpisodes(new Set(rows.map((r) => r.id)))]);
    return store;
  }

  private fileOf(id: string): string {
    return join(this.opts.episodesDir, `${id}.jsonl`);
  }

  /**
   * Summaries of this workspace's episode files not in `known` (all when omitted); corrupt ones are set aside. Run
   * on open, so a workspace's rows come back after the user-scoped index was rebuilt from another workspace.
   */
  private scanEpisodes(known: Set<string> = new Set()): EpisodeSummary[] {
    const out: EpisodeSummary[] = [];
    for (const name of readdirSync(this.opts.episodesDir)) {
      if (!name.endsWith('.jsonl') || known.has(name.slice(0, -'.jsonl'.length))) continue;
      const file = join(this.opts.episodesDir, name);
      try {
        out.push(this.summarize(readEpisodeFile(file, this.warn), file));
      } catch (e) {
        if (!(e instanceof CorruptEpisodeError)) throw e;
        this.warn(`episode file ${name} is corrupt (${e.message}); set aside as ${basename(setAside(file))}`);
      }
    }
    return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  private summarize(e: Episode, file: string): EpisodeSummary {
    const last = [...e.steps].reverse();
    const end = last.find((s) => s.kind === 'end');
    const fb = last.find((s) => s.kind === 'feedback');
    return {
      id: e.id, title: e.title, startedAt: e.startedAt, endedAt: e.endReason && end ? end.at : null, endReason: e.endReason,
      feedback: fb && fb.kind === 'feedback' ? fb.rating : null, workspace: e.workspace, file,
      ...(e.adapter ? { adapter: e.adapter.version } : {}),
    };
  }

  /**
   * Read-modify-write of the index, serialized. The index is user-scoped, so several VS Code windows may write it:
   * re-reading first keeps their rows (a narrow race between two windows' writes remains; see docs/trajectory.md).
   */
  private mutate(change: (rows: EpisodeSummary[]) => EpisodeSummary[] | void): Promise<void> {
    const run = async () => {
      try {
        await this.db.read();
        if (!Array.isArray(this.db.data?.episodes)) throw new Error('index has no episode list');
      } catch (e) {
        await this.recover(e as Error);
      }
      const next = change(this.db.data.episodes);
      if (next) this.db.data.episodes = next;
      await this.db.write();
    };
    const p = this.indexChain.then(run);
    this.indexChain = p.catch(() => {});
    return p;
  }

  /** Sets a corrupt index aside and rebuilds it from this workspace's episode files. */
  private async recover(e: Error): Promise<void> {
    const moved = existsSync(this.opts.indexFile) ? setAside(this.opts.indexFile) : this.opts.indexFile;
    this.warn(`trajectory index was unreadable (${e.message}); set aside as ${basename(moved)} and rebuilt from episode files`);
    this.db.data = { version: 1, episodes: this.scanEpisodes() };
    await this.db.write();
  }

  private updateIndex(id: string, patch: Partial<EpisodeSummary>): Promise<void> {
    return this.mutate((rows) => { const row = rows.find((e) => e.id === id); if (row) Object.assign(row, patch); });
  }

  /** Creates an episode file with its header and adds it to the index. The header must already be redacted. */
  async create(header: EpisodeHeader): Promise<void> {
    const file = this.fileOf(header.id);
    this.writers.set(header.id, new EpisodeWriter(file, header));
    const row: EpisodeSummary = { id: header.id, title: header.title, startedAt: header.startedAt, endedAt: null, endReason: null, feedback: null, workspace: header.workspace, file, ...(header.adapter ? { adapter: header.adapter.version } : {}) };
    await this.mutate((rows) => { rows.push(row); });
  }

  /** Appends one (already redacted) step: one synchronous line write, O(1) whatever the number of episodes. */
  append(id: string, step: Step): void {
    let w = this.writers.get(id);
    if (!w) {
      w = new EpisodeWriter(this.fileOf(id));
      this.writers.set(id, w);
    }
    w.append(step);
  }

  /** Appends the end step and records the outcome in the index. The file stays open for a follow-up or feedback. */
  async finish(id: string, reason: EndReason, message?: string): Promise<void> {
    const at = new Date().toISOString();
    this.append(id, { kind: 'end', at, reason, ...(message ? { message } : {}) });
    await this.updateIndex(id, { endReason: reason, endedAt: at });
  }

  /** Marks a task as running again (a follow-up after it ended). */
  async reopen(id: string): Promise<void> {
    await this.updateIndex(id, { endReason: null, endedAt: null });
  }

  /** Records the user's thumbs up/down (+ comment) for an episode, after it ended. */
  async feedback(id: string, rating: 'up' | 'down', comment?: string): Promise<void> {
    this.append(id, { kind: 'feedback', at: new Date().toISOString(), rating, ...(comment ? { comment } : {}) });
    await this.updateIndex(id, { feedback: rating });
  }

  /** Episodes of the index (all workspaces), newest first, re-read so other windows' tasks show up. */
  async list(): Promise<EpisodeSummary[]> {
    await this.mutate(() => {});
    return this.cachedList();
  }

  private cachedList(): EpisodeSummary[] {
    return [...this.db.data.episodes].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** The assembled episode, or null when it does not exist or is corrupt (then it is set aside). */
  read(id: string): Episode | null {
    const file = this.db.data.episodes.find((e) => e.id === id)?.file ?? this.fileOf(id);
    if (!existsSync(file)) return null;
    try {
      return readEpisodeFile(file, this.warn);
    } catch (e) {
      if (!(e instanceof CorruptEpisodeError)) throw e;
      this.warn(`episode ${id} is corrupt (${e.message}); set aside as ${basename(setAside(file))}`);
      return null;
    }
  }

  /** Deletes one episode (file and index row). Returns whether it existed. */
  async delete(id: string): Promise<boolean> {
    this.writers.get(id)?.close();
    this.writers.delete(id);
    const row = this.db.data.episodes.find((e) => e.id === id);
    const file = row?.file ?? this.fileOf(id);
    const existed = Boolean(row) || existsSync(file);
    rmSync(file, { force: true });
    await this.mutate((rows) => rows.filter((e) => e.id !== id));
    return existed;
  }

  /** Deletes every episode in the index. Returns the deleted ids. */
  async deleteAll(): Promise<string[]> {
    const ids: string[] = [];
    await this.mutate((rows) => {
      for (const e of rows) {
        this.writers.get(e.id)?.close();
        this.writers.delete(e.id);
        rmSync(e.file, { force: true });
        ids.push(e.id);
      }
      return [];
    });
    return ids;
  }

  /** The episodes as a JSON document (all, or the given ids), for export. */
  async exportJson(ids?: string[]): Promise<string> {
    const wanted = ids ?? (await this.list()).map((e) => e.id);
    const episodes = wanted.map((id) => this.read(id)).filter((e): e is Episode => e !== null);
    return JSON.stringify({ exportedAt: new Date().toISOString(), episodes }, null, 2);
  }

  /**
   * Applies retention: deletes episodes older than `maxDays` and, beyond `maxEpisodes`, the oldest ones. Deletes only
   * what the policy says, never a running episode; returns the deleted summaries.
   */
  async applyRetention(policy: RetentionPolicy, now = new Date()): Promise<EpisodeSummary[]> {
    const all = await this.list();
    const finished = all.filter((e) => e.endReason !== null || !this.writers.has(e.id));
    const doomed = new Map<string, EpisodeSummary>();
    if (policy.maxDays !== undefined) {
      const cutoff = now.getTime() - policy.maxDays * 86_400_000;
      for (const e of finished) if (Date.parse(e.startedAt) < cutoff) doomed.set(e.id, e);
    }
    if (policy.maxEpisodes !== undefined) {
      const excess = all.length - policy.maxEpisodes;
      // Oldest first, only finished ones.
      const oldest = [...finished].reverse();
      for (let i = 0, n = 0; i < oldest.length && n < excess; i++) {
        if (!doomed.has(oldest[i].id)) doomed.set(oldest[i].id, oldest[i]);
        n++;
      }
    }
    for (const id of doomed.keys()) await this.delete(id);
    return [...doomed.values()];
  }

  /** Size in bytes of an episode file (for diagnostics and tests). */
  fileSize(id: string): number {
    return statSync(this.fileOf(id)).size;
  }

  /** Closes open episode files. */
  close(): void {
    for (const w of this.writers.values()) w.close();
    this.writers.clear();
  }
}
