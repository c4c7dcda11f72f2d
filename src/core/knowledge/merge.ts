/**
 * Three-way merge of knowledge documents by item id. `base` is what the extension read, `mine` what it wants to
 * write, `disk` what is on disk now (someone edited the file meanwhile). The result starts from `disk`, so outside
 * edits and hand-written text win; the extension's changes are replayed field by field where disk left the field
 * alone. An item changed both ways in the same field keeps the disk version and yields a conflict diagnostic.
 * Evidence counters merge additively.
 */
import { allItems, cloneDocument, type KnowledgeDiagnostic, type KnowledgeDocument, type KnowledgeItem } from './format';
import { insertLive, insertTombstone } from './operations';

/** A change of the extension that could not be applied because the same item changed on disk too. */
export interface MergeConflict { id: string; fields: string[] }

/** Result of {@link mergeKnowledge}. */
export interface MergeResult { doc: KnowledgeDocument; conflicts: MergeConflict[]; diagnostics: KnowledgeDiagnostic[] }

type Entry = { item: KnowledgeItem; tombstone: boolean };
const FIELDS = ['status', 'text', 'scope', 'sources', 'created', 'consolidated', 'share', 'team', 'overBudget', 'flags', 'pruned', 'extra', 'tombstone'] as const;

function byId(doc: KnowledgeDocument): Map<string, Entry> {
  return new Map(allItems(doc).map((e) => [e.item.id, e]));
}

function field(e: Entry, f: (typeof FIELDS)[number]): string {
  return JSON.stringify(f === 'tombstone' ? e.tombstone : e.item[f]);
}

function removeId(doc: KnowledgeDocument, id: string): void {
  const i = doc.blocks.findIndex((b) => b.kind === 'item' && b.item.id === id);
  if (i >= 0) doc.blocks.splice(i, 1);
}

function place(doc: KnowledgeDocument, e: Entry): void {
  if (e.tombstone) insertTombstone(doc, e.item);
  else insertLive(doc, e.item);
}

function later(a?: string, b?: string): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/** Merges the extension's changes (`base` -> `mine`) into `disk`. Inputs are not modified. */
export function mergeKnowledge(base: KnowledgeDocument, mine: KnowledgeDocument, disk: KnowledgeDocument): MergeResult {
  const out = cloneDocument(disk);
  const b = byId(base);
  const m = byId(mine);
  const d = byId(cloneDocument(disk));
  const conflicts: MergeConflict[] = [];
  const diagnostics: KnowledgeDiagnostic[] = [];
  const note = (message: string): void => { diagnostics.push({ line: 0, message, severity: 'warning' }); };

  for (const [id, mineE] of m) {
    const baseE = b.get(id);
    const diskE = d.get(id);
    if (!baseE) {
      if (!diskE) place(out, structuredClone(mineE));
      else if (JSON.stringify(diskE) !== JSON.stringify(mineE)) {
        conflicts.push({ id, fields: ['added on both sides'] });
        note(`conflict: ${id} was added both on disk and by the extension; kept the disk version`);
      }
      continue;
    }
    if (!diskE) {
      if (JSON.stringify(baseE) !== JSON.stringify(mineE)) note(`${id} was removed on disk; the extension's change to it was dropped`);
      continue;
    }
    const changedMine = FIELDS.filter((f) => field(mineE, f) !== field(baseE, f));
    const changedDisk = new Set(FIELDS.filter((f) => field(diskE, f) !== field(baseE, f)));
    const clash = changedMine.filter((f) => changedDisk.has(f) && field(mineE, f) !== field(diskE, f));
    if (clash.length) {
      conflicts.push({ id, fields: clash });
      diagnostics.push({ line: 0, message: `conflict: ${id} changed on disk and in the extension (${clash.join(', ')}); kept the disk version`, severity: 'error' });
      continue;
    }
    const merged: Entry = structuredClone(diskE);
    for (const f of changedMine) {
      if (f === 'tombstone') merged.tombstone = mineE.tombstone;
      else (merged.item as unknown as Record<string, unknown>)[f] = structuredClone(mineE.item[f]);
    }
    merged.item.helpful = Math.max(0, diskE.item.helpful + mineE.item.helpful - baseE.item.helpful);
    merged.item.harmful = Math.max(0, diskE.item.harmful + mineE.item.harmful - baseE.item.harmful);
    const anyMine = changedMine.length > 0 || mineE.item.helpful !== baseE.item.helpful || mineE.item.harmful !== baseE.item.harmful;
    if (anyMine) merged.item.updated = later(diskE.item.updated, mineE.item.updated);
    if (merged.tombstone !== diskE.tombstone) {
      removeId(out, id);
      place(out, merged);
    } else {
      const blk = out.blocks.find((x) => x.kind === 'item' && x.item.id === id);
      if (blk?.kind === 'item') blk.item = merged.item;
    }
  }
  // Items the extension removed (moved to the other file): drop them unless disk changed them meanwhile.
  for (const [id, baseE] of b) {
    if (m.has(id)) continue;
    const diskE = d.get(id);
    if (!diskE) continue;
    if (JSON.stringify(diskE) === JSON.stringify(baseE)) removeId(out, id);
    else {
      conflicts.push({ id, fields: ['removed by the extension, changed on disk'] });
      diagnostics.push({ line: 0, message: `conflict: ${id} was removed by the extension but changed on disk; kept the disk version`, severity: 'error' });
    }
  }
  return { doc: out, conflicts, diagnostics };
}
