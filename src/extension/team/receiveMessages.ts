/**
 * What the user is told after an adapter update or a roll back, as plain data (no `vscode` import, unit-tested): the
 * version, whether the model runtime took it (only then does absorbed knowledge leave the prompt), and the saving.
 */
import type { ActiveAdapter, AdapterUpdate } from '../core';
import type { Absorption } from './absorbedKnowledge';
import { plain } from './teamModel';

/** How a runtime target reads in a sentence: the embedded runtime's target id (`llamacpp`) is not a name a user knows. */
const TARGET_NAMES: Record<string, string> = { llamacpp: 'embedded llama.cpp' };
const targetName = (target: string): string => TARGET_NAMES[target] ?? plain(target, 30);

/** One sentence on the active version: taken by a runtime (with the saving) or only stored (with the runtime's reason). */
export function activationSummary(active: ActiveAdapter, saved: Absorption): string {
  if (!active.taken) return `It is verified and stored, but the model runtime (${plain(active.target, 30)}) did not take it, so the prompt is unchanged: ${plain(active.message, 300)}`;
  const items = saved.items;
  return `The ${targetName(active.target)} runtime took it; ${items} absorbed knowledge item${items === 1 ? '' : 's'} left the prompt, saving ${saved.tokens} prompt tokens per task.`;
}

/** The message for an update that was not refused (refusals show the core's message, which names the check). */
export function updateSummary(result: Exclude<AdapterUpdate, { kind: 'refused' }>, saved: Absorption): string {
  switch (result.kind) {
    case 'none': return 'the team has not released an adapter yet.';
    case 'up_to_date': return `adapter version ${result.active.version} is the team's current version and already active.`;
    case 'activated': return `adapter version ${result.active.version} ${result.downloaded ? 'was downloaded, verified' : 'was verified'} and is now active. ${activationSummary(result.active, saved)}`;
  }
}
