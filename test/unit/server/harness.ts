/** Shared setup for server tests: a tiny model, a data folder, a server on loopback, and a typed fetch helper. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../../src/server/app';
import { loadConfig, type ServerConfigInput } from '../../../src/server/config';
import { createTinyModel, PYTHON, TRAINER_PATH } from '../../support/tinyModel';

let model: string | null = null;
/** One tiny model per test process (creating one costs a Python start). */
export function tinyModel(): string {
  model ??= createTinyModel();
  return model;
}

/**
 * Trainer settings small enough for a round to take seconds on two CPU cores. On this tiny random model the gate's
 * verdict on round 1 depends on the seed (held-out KL moves a few percent either way: measured over seeds 0-5, 3 of 6
 * passed with the old sampling streams, 2 of 6 with per-prompt streams); seed 1 is one whose round 1 passes, which
 * the tests of release, signing and round 2 need. They test the server, not what the trainer learns (trainer/tests).
 */
export const TINY_TRAINER = { seed: 1, steps: 6, batch_size: 2, lr: 0.001, rank: 4, alpha: 8, max_new_tokens: 8, top_k: 32, device: 'cpu' as const };

/** A fresh data folder. */
export function tempData(): string {
  return join(mkdtempSync(join(tmpdir(), 'oel-srv-')), 'data');
}

/** Server config for tests: loopback, port 0, tiny trainer, template prompt synthesis unless asked otherwise. */
export function testConfig(over: Partial<ServerConfigInput> = {}) {
  return loadConfig({
    model_dir: tinyModel(), data_dir: tempData(), host: '127.0.0.1', port: 0, python: PYTHON, trainer_path: TRAINER_PATH,
    trainer: TINY_TRAINER, prompts: { synthesis: 'template', per_item: 2 },
    ...over,
  });
}

export async function start(over: Partial<ServerConfigInput> = {}, opts: { dashboardDir?: string | null } = {}): Promise<RunningServer & { admin: string }> {
  const srv = await startServer(testConfig(over), { bootstrapTeam: 'alpha', ...opts });
  return Object.assign(srv, { admin: srv.bootstrapAdminToken as string });
}

/** A small HTTP client for tests: returns status and parsed JSON body. */
export async function call(url: string, method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* file downloads are not JSON */ }
  return { status: res.status, body: parsed };
}

/** Polls a round until it reaches a terminal state (or the deadline). */
export async function waitRound(url: string, token: string, id: string, timeoutMs = 120_000): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(url, 'GET', `/v1/consolidations/${id}`, token);
    if (['released', 'failed_gate', 'failed', 'cancelled'].includes(r.body.status)) return r.body;
    if (Date.now() > end) throw new Error(`round ${id} still ${r.body.status} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 200));
  }
}
