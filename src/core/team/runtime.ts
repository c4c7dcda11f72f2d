/**
 * Where a verified adapter meets the model runtime (the runtime issue implements {@link AdapterRuntime}). Core tells
 * the runtime "this verified folder, for this base model, is now active" and records what the runtime answered;
 * until a runtime that can load adapters exists, {@link StoredOnlyRuntime} is the only target: the version is kept
 * and shown as active-but-stored, and the model is unchanged.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomicWrite';
import { storedVersions, verifyStoredAdapter, versionDir } from './adapters';
import type { TeamPin } from './client';
import { TeamError } from './errors';

/** What a runtime is asked to serve. */
export interface AdapterActivation {
  /** The server's folder name (see serverFolderName). */
  server: string;
  version: number;
  /** The verified version folder: the manifest plus the files it lists (e.g. adapter_config.json, adapter_model.safetensors). */
  dir: string;
  /** The manifest's `base_model_id`: a runtime serving another base model must refuse. */
  baseModelId: string;
}

/** The runtime's answer. `taken` is true only when the model now answers with the adapter applied. */
export interface ActivationResult { taken: boolean; target: string; message: string }

/** Implemented by a model runtime that can load LoRA adapters. */
export interface AdapterRuntime {
  /** Short name shown to the user ("stored", "vllm", ...). */
  readonly target: string;
  /** Makes `activation` the active adapter (null: back to the base model). Never throws for a refusal; says why. */
  activate(activation: AdapterActivation | null): Promise<ActivationResult>;
}

/** The target until a runtime exists: it keeps the version on disk and says the model did not change. */
export class StoredOnlyRuntime implements AdapterRuntime {
  readonly target = 'stored';
  async activate(a: AdapterActivation | null): Promise<ActivationResult> {
    return a
      ? { taken: false, target: this.target, message: `Adapter version ${a.version} is verified and stored in ${a.dir}. No model runtime can load adapters yet, so the model is unchanged.` }
      : { taken: false, target: this.target, message: 'No adapter is active.' };
  }
}

/** `<root>/<server>/active.json`: the version the user made active and what the runtime answered. */
export const ActiveAdapterSchema = z.object({
  version: z.number().int().positive(),
  base_model_id: z.string(),
  taken: z.boolean(),
  target: z.string(),
  message: z.string(),
  activated_at: z.string(),
});
export type ActiveAdapter = z.infer<typeof ActiveAdapterSchema>;

const activePath = (root: string, server: string) => join(root, server, 'active.json');

/** The active version of a server, or null (none yet, or an unreadable state file, which counts as none). */
export async function readActiveAdapter(root: string, server: string): Promise<ActiveAdapter | null> {
  try {
    const parsed = ActiveAdapterSchema.safeParse(JSON.parse(await readFile(activePath(root, server), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Activates a stored version: verifies the folder again (signature with the pinned key, exact files, hashes), hands it
 * to the runtime, and records the answer. A folder that fails verification is refused and nothing changes.
 */
export async function activateAdapter(o: { root: string; server: string; version: number; pin: TeamPin; runtime: AdapterRuntime }): Promise<ActiveAdapter> {
  const checked = await verifyStoredAdapter(versionDir(o.root, o.server, o.version), o.version, o.pin);
  if (!checked.ok) throw new TeamError('protocol', checked.message);
  const res = await o.runtime.activate({ server: o.server, version: o.version, dir: checked.dir, baseModelId: checked.manifest.base_model_id });
  const active: ActiveAdapter = {
    version: o.version, base_model_id: checked.manifest.base_model_id, taken: res.taken, target: res.target, message: res.message, activated_at: new Date().toISOString(),
  };
  await writeFileAtomic(activePath(o.root, o.server), `${JSON.stringify(active, null, 1)}\n`);
  return active;
}

/** "Roll Back": activates the newest kept version older than the active one. */
export async function rollBackAdapter(o: { root: string; server: string; pin: TeamPin; runtime: AdapterRuntime }): Promise<ActiveAdapter> {
  const active = await readActiveAdapter(o.root, o.server);
  if (!active) throw new TeamError('not_found', 'No adapter version is active, so there is nothing to roll back from.');
  const earlier = (await storedVersions(o.root, o.server)).filter((v) => v < active.version);
  if (earlier.length === 0) throw new TeamError('not_found', `No version older than ${active.version} is kept; raise the number of kept versions to be able to roll back further.`);
  return activateAdapter({ ...o, version: earlier[earlier.length - 1] });
}

/**
 * "Roll Back" past the oldest kept version: back to the base model. The runtime is told no adapter is active, then
 * the record of the active version is removed, so absorbed knowledge returns to the prompt. Kept versions stay.
 */
export async function deactivateAdapter(o: { root: string; server: string; runtime: AdapterRuntime }): Promise<ActivationResult> {
  const res = await o.runtime.activate(null);
  await rm(activePath(o.root, o.server), { force: true });
  return res;
}
