/**
 * Embedding vectors of knowledge item texts, kept on disk so a task embeds only the request and the items that are new
 * or edited since the last one. Keyed by model and a hash of the text: an edited item is embedded again, and vectors
 * of another model are never mixed in. The file is machine-local (the extension's global storage), a cache and nothing
 * else: one that cannot be read is started afresh and nothing is lost. Writes are atomic.
 *
 * Format: `{"schema":1,"entries":{"<model>\u0000<sha256 of the text>":"<base64 of float32 values>", ...}}`, least
 * recently used first, at most {@link EMBEDDING_CACHE_LIMIT} entries.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomicWrite';
import type { Embedder } from './dedup';

/** Most vectors kept: a few knowledge files' worth; the least recently used go first. */
export const EMBEDDING_CACHE_LIMIT = 5000;
/** Most texts sent in one embeddings request. */
export const EMBEDDING_BATCH = 256;

const CacheFileSchema = z.object({ schema: z.literal(1), entries: z.record(z.string(), z.string()) });

function encode(v: readonly number[]): string {
  return Buffer.from(new Float32Array(v).buffer).toString('base64');
}

function decode(s: string): number[] | null {
  const buf = Buffer.from(s, 'base64');
  if (buf.length === 0 || buf.length % 4) return null;
  const out = Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4));
  return out.every(Number.isFinite) ? out : null;
}

/** A persisted cache of item-text embeddings for one model. */
export class EmbeddingCache {
  private entries: Map<string, string> | null = null;

  /**
   * @param path the cache file, or null to keep vectors in memory only
   * @param model the embeddings model; part of every key
   */
  constructor(readonly path: string | null, readonly model: string, private readonly log: (line: string) => void = () => undefined) {}

  private key(text: string): string {
    return `${this.model}\u0000${createHash('sha256').update(text, 'utf8').digest('hex')}`;
  }

  private async load(): Promise<Map<string, string>> {
    if (this.entries) return this.entries;
    this.entries = new Map();
    if (!this.path) return this.entries;
    try {
      const parsed = CacheFileSchema.safeParse(JSON.parse(await readFile(this.path, 'utf8')));
      if (parsed.success) this.entries = new Map(Object.entries(parsed.data.entries));
      else this.log(`knowledge embeddings: ${this.path} is not an embeddings cache; starting a new one`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`knowledge embeddings: cannot read ${this.path}: ${(e as Error).message}; starting a new one`);
    }
    return this.entries;
  }

  /**
   * The vectors of `texts`, in order: cached ones from the cache, the others from one `embed` call (then saved).
   * Throws when `embed` does, or returns a wrong number of vectors or values that are not finite numbers.
   */
  async vectors(texts: readonly string[], embed: Embedder): Promise<number[][]> {
    const entries = await this.load();
    const out: (number[] | null)[] = texts.map((t) => {
      const k = this.key(t);
      const hit = entries.get(k);
      const v = hit === undefined ? null : decode(hit);
      if (v && hit !== undefined) {
        entries.delete(k); // re-inserted last: most recently used
        entries.set(k, hit);
      }
      return v;
    });
    const missing = [...new Set(texts.filter((_, i) => !out[i]))];
    if (missing.length) {
      // Providers cap the inputs of one request (OpenAI: 2,048); a first run over a large file goes in batches.
      const fresh: number[][] = [];
      for (let i = 0; i < missing.length; i += EMBEDDING_BATCH) fresh.push(...await embed(missing.slice(i, i + EMBEDDING_BATCH)));
      if (fresh.length !== missing.length || fresh.some((v) => !Array.isArray(v) || !v.length || !v.every(Number.isFinite))) {
        throw new Error(`the embeddings endpoint returned ${fresh.length} usable vectors for ${missing.length} texts`);
      }
      const byText = new Map(missing.map((t, i) => [t, fresh[i]]));
      texts.forEach((t, i) => { out[i] ??= byText.get(t)!; });
      for (const [t, v] of byText) entries.set(this.key(t), encode(v));
      while (entries.size > EMBEDDING_CACHE_LIMIT) entries.delete(entries.keys().next().value as string);
      await this.save();
    }
    return out as number[][];
  }

  private async save(): Promise<void> {
    if (!this.path || !this.entries) return;
    try {
      await writeFileAtomic(this.path, `${JSON.stringify({ schema: 1, entries: Object.fromEntries(this.entries) })}\n`);
    } catch (e) {
      // A cache that cannot be written costs a few requests next time, never the task.
      this.log(`knowledge embeddings: cannot write ${this.path}: ${(e as Error).message}`);
    }
  }
}
