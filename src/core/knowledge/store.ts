/**
 * A knowledge file on disk: read, update through a function, write atomically. When the file changed on disk since
 * it was read (the user edited it, or git pulled), the update is merged by item id ({@link mergeKnowledge}).
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomicWrite';
import { cloneDocument, emptyDocument, parseKnowledge, serializeKnowledge, type KnowledgeDiagnostic, type KnowledgeDocument } from './format';
import { mergeKnowledge, type MergeConflict } from './merge';

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** What {@link KnowledgeFileStore.read} returns. */
export interface KnowledgeSnapshot { doc: KnowledgeDocument; diagnostics: KnowledgeDiagnostic[]; text: string | null }

/** What {@link KnowledgeFileStore.update} returns. */
export interface KnowledgeUpdateResult {
  /** The document as written. */
  doc: KnowledgeDocument;
  /** Parse diagnostics of the disk version plus merge warnings and conflicts. */
  diagnostics: KnowledgeDiagnostic[];
  conflicts: MergeConflict[];
  /** Whether the file had changed on disk and a merge was needed. */
  merged: boolean;
  /** Whether anything was written (false when the update changed nothing). */
  written: boolean;
}

/** One knowledge file. Not safe for concurrent updates from the same process: serialize calls (they queue). */
export class KnowledgeFileStore {
  private base: { text: string | null; doc: KnowledgeDocument } | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  /** @param path the file, e.g. `<workspace>/.oel/knowledge.md`; a missing file reads as an empty document. */
  constructor(readonly path: string) {}

  /** Reads and parses the file, remembering it as the base of the next update. */
  async read(): Promise<KnowledgeSnapshot> {
    const text = await readOrNull(this.path);
    const { doc, diagnostics } = text === null ? { doc: emptyDocument(), diagnostics: [] } : parseKnowledge(text);
    this.base = { text, doc: cloneDocument(doc) };
    return { doc, diagnostics, text };
  }

  /**
   * Applies `fn` to the document as last read (reading it first if never read), then writes the result. If the file
   * changed on disk since that read, the change is merged by item id: outside edits win for fields the extension did
   * not touch, and an item changed both ways keeps its disk version with a conflict diagnostic.
   */
  update(fn: (doc: KnowledgeDocument) => void | Promise<void>): Promise<KnowledgeUpdateResult> {
    const run = this.chain.then(() => this.doUpdate(fn));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async doUpdate(fn: (doc: KnowledgeDocument) => void | Promise<void>): Promise<KnowledgeUpdateResult> {
    if (!this.base) await this.read();
    const base = this.base!;
    const mine = cloneDocument(base.doc);
    await fn(mine);
    const diskText = await readOrNull(this.path);
    let out = mine;
    let diagnostics: KnowledgeDiagnostic[] = [];
    let conflicts: MergeConflict[] = [];
    const merged = diskText !== base.text;
    if (merged) {
      const disk = diskText === null ? emptyDocument() : parseKnowledge(diskText);
      const diskDoc = 'doc' in disk ? disk.doc : disk;
      if ('diagnostics' in disk) diagnostics = [...disk.diagnostics];
      const r = mergeKnowledge(base.doc, mine, diskDoc);
      out = r.doc;
      conflicts = r.conflicts;
      diagnostics.push(...r.diagnostics);
    }
    const text = serializeKnowledge(out);
    const written = merged ? text !== diskText : text !== serializeKnowledge(base.doc);
    if (written) await writeFileAtomic(this.path, text);
    this.base = { text, doc: cloneDocument(out) };
    return { doc: out, diagnostics, conflicts, merged, written };
  }
}
