/**
 * Whether the agent's accepted edits are still in the files: an outcome signal for learning (an edit the user
 * reverted or rewrote soon after was probably wrong). Run later (e.g. on the next task or on a timer) and append the
 * returned steps to the episode.
 */
import type { ToolHost } from '../tools/host';
import type { Episode, Step } from '../trajectory/episode';

/** Lines the diff added (without the leading '+'), ignoring blank ones and the file header. */
function addedLines(diff: string): string[] {
  return diff.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')).map((l) => l.slice(1)).filter((l) => l.trim() !== '');
}

/**
 * One `edit_check` step per accepted edit of the episode: `stillStands` is true when every line the edit added is
 * still in the file (a truncated diff is judged on the lines it kept). A deleted file, or a restore of the task's
 * checkpoints that undid the edit, means the edit does not stand.
 */
export async function checkEditsStillStand(episode: Episode, host: ToolHost, now = new Date()): Promise<Step[]> {
  const out: Step[] = [];
  // An edit the user restored away did not stand, whatever the file holds now (the same lines may come back later).
  const restored = new Set(episode.steps.flatMap((s) => (s.kind === 'restore' ? s.callIds : [])));
  for (const step of episode.steps) {
    if (step.kind !== 'edit' || !step.accepted) continue;
    if (restored.has(step.callId)) {
      out.push({ kind: 'edit_check', at: now.toISOString(), callId: step.callId, path: step.path, stillStands: false });
      continue;
    }
    let text: string | null = null;
    try {
      const p = await host.files.resolve(step.path);
      if (p.kind === 'file') text = (await host.files.readFile(step.path)).bytes.toString('utf8');
    } catch {
      text = null;
    }
    const lines = new Set(text?.split('\n') ?? []);
    const stillStands = text !== null && addedLines(step.diff).every((l) => lines.has(l));
    out.push({ kind: 'edit_check', at: now.toISOString(), callId: step.callId, path: step.path, stillStands });
  }
  return out;
}
