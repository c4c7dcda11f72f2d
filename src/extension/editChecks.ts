import type * as vscode from 'vscode';
import { loadCore } from './core';
import type { OelContext } from './context';

/** How long after a task its accepted edits are checked: long enough for the user to revert or rewrite a bad one. */
const CHECK_DELAY_MS = 10 * 60_000;

/**
 * Records, some time after a task, whether each edit the user accepted is still in its file (an `edit_check` step):
 * an outcome signal for learning, since an edit reverted soon after was probably wrong. A check runs when its timer
 * fires, or earlier when the next task starts (so the signal exists before that task can learn from it).
 */
export class EditCheckScheduler implements vscode.Disposable {
  private readonly pending = new Map<string, { root: string; timer: NodeJS.Timeout }>();

  constructor(private readonly ctx: OelContext) {}

  /** Schedules the check of an episode that just ended (replacing an earlier schedule of the same episode). */
  schedule(episodeId: string, root: string): void {
    this.cancel(episodeId);
    const timer = setTimeout(() => void this.run(episodeId), CHECK_DELAY_MS);
    timer.unref?.();
    this.pending.set(episodeId, { root, timer });
  }

  /** Runs every scheduled check now. */
  async runPending(): Promise<void> {
    await Promise.all([...this.pending.keys()].map((id) => this.run(id)));
  }

  private cancel(episodeId: string): void {
    const p = this.pending.get(episodeId);
    if (p) clearTimeout(p.timer);
    this.pending.delete(episodeId);
  }

  private async run(episodeId: string): Promise<void> {
    const p = this.pending.get(episodeId);
    if (!p) return;
    this.cancel(episodeId);
    try {
      const { checkEditsStillStand, NodeToolHost } = await loadCore();
      const store = await this.ctx.store();
      const episode = store.read(episodeId);
      if (!episode) return;
      const steps = await checkEditsStillStand(episode, new NodeToolHost(p.root));
      for (const step of steps) store.append(episodeId, step);
      if (steps.length) this.ctx.log.info(`edit check for task ${episodeId}: ${steps.filter((s) => s.kind === 'edit_check' && s.stillStands).length}/${steps.length} accepted edits still stand`);
    } catch (e) {
      this.ctx.log.warn(`edit check for task ${episodeId} failed: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    for (const id of [...this.pending.keys()]) this.cancel(id);
  }
}
