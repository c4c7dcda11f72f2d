/** Adapter folders for the runtime client tests: what a verified version folder holds (PEFT files, maybe a GGUF). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdapterActivation } from '../../../../src/core/team/runtime';

/** A fresh adapters root (`<root>/<server>/<version>/` below it). */
export function adaptersRoot(): string {
  return mkdtempSync(join(tmpdir(), 'oel-rt-'));
}

/** Writes version `version` of server `srv` under `root` and returns its activation. */
export function adapterVersion(root: string, version: number, o: { config?: Record<string, unknown>; gguf?: Buffer | false; server?: string; baseModelId?: string } = {}): AdapterActivation {
  const server = o.server ?? '127.0.0.1_8787';
  const dir = join(root, server, String(version));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({
    peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['q_proj', 'v_proj'], lora_dropout: 0, bias: 'none',
    fan_in_fan_out: false, task_type: 'CAUSAL_LM', base_model_name_or_path: 'tiny-qwen2', use_rslora: false, ...o.config,
  }));
  writeFileSync(join(dir, 'adapter_model.safetensors'), Buffer.from(`weights of v${version}`));
  if (o.gguf !== false) writeFileSync(join(dir, 'adapter.gguf'), o.gguf ?? Buffer.concat([Buffer.from('GGUF'), Buffer.from(`lora v${version} `.repeat(50))]));
  return { server, version, dir, baseModelId: o.baseModelId ?? 'tiny-qwen2' };
}
