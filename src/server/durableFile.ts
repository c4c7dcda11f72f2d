import { mkdirSync, openSync, fsyncSync, closeSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { Low, type Adapter } from 'lowdb';

/**
 * A lowdb adapter that makes every write durable: write a temporary sibling, fsync it, rename it over the file, fsync
 * the folder. lowdb's own JSONFile renames atomically but never fsyncs, so an acknowledged write could vanish on power
 * loss; the server only acknowledges a submission after this returns.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  private seq = 0;
  constructor(readonly path: string) {}

  async read(): Promise<T | null> {
    if (!existsSync(this.path)) return null;
    return JSON.parse(readFileSync(this.path, 'utf8')) as T;
  }

  async write(data: T): Promise<void> {
    // Serialize synchronously, so mutations made after this call starts land in the next write, not half in this one.
    const text = JSON.stringify(data);
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${++this.seq}.tmp`);
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
    fsyncDir(dirname(this.path));
  }
}

/** fsync a folder so a rename inside it survives a crash. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** Synchronous durable write for small files written outside the request path (keys, tokens, manifests). */
export function writeFileDurableSync(path: string, text: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  const fd = openSync(tmp, 'r+');
  try { fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

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
