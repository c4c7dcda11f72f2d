/**
 * Absorbed knowledge: while a team adapter is active AND the model runtime took it, the knowledge items whose team ids
 * the adapter's signed manifest lists (`knowledge.ids`) are marked `consolidated: <server>#<version>` in their file,
 * so the prompt selection leaves them out (src/core/knowledge/selection.ts) and the Knowledge view shows them as
 * absorbed. When no adapter of the server is taken (stored only, rolled back past the first version, another
 * runtime or model chosen), every mark of that server is cleared and the items come back into the prompt.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OelContext } from '../context';
import { loadCore, type TeamSession } from '../core';
import type { KnowledgeFiles } from '../knowledge/knowledgeFiles';

/** What the active adapter saves: absorbed items and the prompt tokens per task they no longer take. */
export interface Absorption { version: number | null; items: number; tokens: number }

/**
 * The team ids the active version absorbed, or null when no version of this server is active in the model now. The
 * manifest is read again from the version folder and its signature checked with the pinned key, since anything that
 * can write the folder could have changed the list since the version was verified.
 */
export async function absorbedIds(ctx: OelContext, session: TeamSession): Promise<{ version: number; ids: string[] } | null> {
  const core = await loadCore();
  const active = await core.readActiveAdapter(session.adaptersRoot, session.server);
  if (!active?.taken) return null;
  // A runtime or model changed since activation no longer serves the adapter: the items must go back into the prompt.
  const serving = ctx.adapters?.active();
  if (ctx.adapters && !(serving && serving.server === session.server && serving.version === active.version)) return null;
  try {
    const text = await readFile(join(session.adaptersRoot, session.server, String(active.version), 'manifest.json'), 'utf8');
    const m = core.AdapterManifestSchema.parse(JSON.parse(text));
    if (m.version !== active.version || !core.verifyManifestSignature(m, session.opts.pin.public_key_base64)) {
      ctx.log.warn(`team: the manifest of active adapter version ${active.version} no longer verifies; no knowledge counts as absorbed`);
      return null;
    }
    return { version: m.version, ids: m.knowledge.ids };
  } catch (e) {
    ctx.log.warn(`team: cannot read the manifest of active adapter version ${active.version}: ${(e as Error).message}`);
    return null;
  }
}

/**
 * Brings the knowledge files in line with the active adapter (marks or unmarks items; a file is written only when an
 * item changes) and returns the prompt tokens per task it saves. A read-only file (Restricted Mode) is left alone.
 */
export async function syncAbsorbed(ctx: OelContext, files: KnowledgeFiles, session: TeamSession): Promise<Absorption> {
  const core = await loadCore();
  await files.init();
  const active = await absorbedIds(ctx, session);
  for (const file of files.files()) {
    if (file.readOnly) continue;
    // Dry run on a copy: the write (with its merge of outside edits) happens only when something changes.
    const copy = core.parseKnowledge(core.serializeKnowledge(file.doc)).doc;
    if (core.markAbsorbed(copy, session.server, active).length === 0) continue;
    let changed: string[] = [];
    await files.update(file.scope, (d, c) => { changed = c.markAbsorbed(d, session.server, active); });
    if (changed.length) ctx.log.info(`team: ${active ? `adapter ${session.server}#${active.version} absorbed` : 'no adapter taken; back in the prompt:'} ${changed.join(', ')} (${file.scope} file)`);
  }
  const texts = files.files().filter((f) => !f.readOnly).map((f) => core.serializeKnowledge(f.doc));
  const saved = core.tokensSavedByAbsorption(texts, { budgetTokens: ctx.config.knowledge.promptBudgetTokens, reviews: files.reviews() });
  return { version: active?.version ?? null, items: active ? saved.items : 0, tokens: active ? Math.max(0, saved.tokens) : 0 };
}
