import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ADAPTER_FILE_NAME_RE, ADAPTER_MANIFEST_FILE, ADAPTER_MANIFEST_SCHEMA, AdapterManifestSchema, type AdapterManifest, type GateResult } from '../core/protocol/consolidation';
import type { TrainerMetrics } from '../core/protocol/trainer';
import { fsyncDir, writeFileDurableSync } from './durableFile';
import { knowledgeDigest, signManifest, type SigningKey } from './keys';

/** Adapter file names: one safe path segment, so a request can never leave the version folder. */
export const FILE_NAME_RE = ADAPTER_FILE_NAME_RE;

/** The manifest's own file name inside a version folder (not listed among its files). */
export const MANIFEST_FILE = ADAPTER_MANIFEST_FILE;

/** Folder holding a team's released versions. */
export function teamAdapterDir(dataDir: string, team: string): string {
  return join(dataDir, 'adapters', team);
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** What `release` needs to know about the round. */
export interface ReleaseInput {
  dataDir: string;
  team: string;
  version: number;
  parentVersion: number | null;
  roundId: string;
  baseModelId: string;
  knowledge: Array<{ id: string; text: string }>;
  metrics: TrainerMetrics;
  gate: GateResult;
  trainerOutputDir: string;
  key: SigningKey;
}

/**
 * Moves the trainer's output into `adapters/<team>/v<N>/`, hashes every file and writes the signed manifest last,
 * so a version folder with a manifest is always complete. Returns the folder.
 */
export async function release(inp: ReleaseInput): Promise<string> {
  const root = teamAdapterDir(inp.dataDir, inp.team);
  const dir = join(root, `v${inp.version}`);
  // A folder left by a crash between the move and the database commit was never released; replace it.
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  renameSync(inp.trainerOutputDir, dir);
  fsyncDir(root);
  const names = readdirSync(dir).filter((n) => n !== MANIFEST_FILE && statSync(join(dir, n)).isFile() && FILE_NAME_RE.test(n)).sort();
  const files = [];
  for (const name of names) files.push({ name, bytes: statSync(join(dir, name)).size, sha256: await sha256File(join(dir, name)) });
  const manifest = signManifest({
    schema: ADAPTER_MANIFEST_SCHEMA, team: inp.team, version: inp.version, parent_version: inp.parentVersion,
    base_model_id: inp.baseModelId, round_id: inp.roundId, created_at: new Date().toISOString(),
    knowledge: { ids: inp.knowledge.map((k) => k.id), sha256: knowledgeDigest(inp.knowledge) },
    metrics: inp.metrics as unknown as Record<string, unknown>, gate: inp.gate, files,
  }, inp.key);
  writeFileDurableSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 1), 0o644);
  return dir;
}

/** Reads a version's manifest. */
export function readManifest(dir: string): AdapterManifest {
  return AdapterManifestSchema.parse(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')));
}

/** The release gate: held-out KL must fall enough AND OOD drift must stay bounded. */
export function evaluateGate(metrics: TrainerMetrics, minKlReduction: number, maxOodKl: number): GateResult {
  const before = metrics.heldout?.before.kl ?? null;
  const after = metrics.heldout?.after.kl ?? null;
  const reduction = before !== null && after !== null && before > 0 ? (before - after) / before : null;
  const ood = metrics.ood?.kl_new_vs_prev ?? null;
  const reasons: string[] = [];
  if (reduction === null) reasons.push('no held-out KL figures');
  else if (reduction < minKlReduction) reasons.push(`held-out KL fell by ${(reduction * 100).toFixed(1)}%, below the required ${(minKlReduction * 100).toFixed(1)}%`);
  if (ood === null) reasons.push('no OOD divergence figure');
  else if (!(ood <= maxOodKl)) reasons.push(`OOD KL(new||prev) ${ood.toFixed(4)} exceeds the bound ${maxOodKl}`);
  return {
    passed: reasons.length === 0, heldout_kl_before: before, heldout_kl_after: after, kl_reduction: reduction,
    min_kl_reduction: minKlReduction, ood_kl_new_vs_prev: ood, max_ood_kl: maxOodKl, reasons,
  };
}
