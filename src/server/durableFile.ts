import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { fsyncDir, writeFileAtomic, writeFileAtomicSync } from '../core/util/atomicWrite';

/**
 * A lowdb adapter that makes every write durable: write a temporary sibling, fsync it, rename it over the file, fsync
 * the folder. lowdb's own JSONFile renames atomically but never fsyncs, so an acknowledged write could vanish on power
 * loss; the server only acknowledges a submission after this returns.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  constructor(readonly path: string) {}

  async read(): Promise<T | null> {
    if (!existsSync(this.path)) return null;
    return JSON.parse(readFileSync(this.path, 'utf8')) as T;
  }

  async write(data: T): Promise<void> {
    // Serialize synchronously, so mutations made after this call starts land in the next write, not half in this one.
    await writeFileAtomic(this.path, JSON.stringify(data), { mode: 0o600 });
  }
}

/** Synchronous durable write for small files written outside the request path (keys, tokens, manifests). */
export function writeFileDurableSync(path: string, text: string, mode = 0o600): void {
  writeFileAtomicSync(path, text, { mode });
}

export { fsyncDir };

/**
 * A lowdb database with group commit: callers mutate `data` synchronously, then await `commit()`, which resolves once
 * a write that includes their mutation is durable. Concurrent callers share one write, which is what lets hundreds of
 * concurrent submissions be acknowledged without one fsync each.
 */
export class CommittedDb<T> {
  readonly low: Low<T>;
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private flushing: Promise<void> | null = null;

  private constructor(low: Low<T>) { this.low = low; }

  static async open<T>(path: string, initial: T): Promise<CommittedDb<T>> {
    mkdirSync(dirname(path), { recursive: true });
    const low = new Low<T>(new DurableJsonFile<T>(path), initial);
    await low.read();
    const db = new CommittedDb(low);
    if (!existsSync(path)) await db.low.write();
    return db;
  }

  get data(): T { return this.low.data; }

  /** Resolves when every mutation made before this call is on disk. */
  commit(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.flushing || this.waiters.length === 0) return;
    const batch = this.waiters;
    this.waiters = [];
    this.flushing = this.low.write().then(
      () => { for (const w of batch) w.resolve(); },
      (e: unknown) => { for (const w of batch) w.reject(e); },
    ).finally(() => {
      this.flushing = null;
      this.kick();
    });
  }

  /** Waits for pending writes (used on shutdown). */
  async drain(): Promise<void> {
    while (this.flushing || this.waiters.length) await (this.flushing ?? this.commit());
  }
}
