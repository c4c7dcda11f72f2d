/**
 * Keeps the Agent view's transcript across window reloads, in this workspace's storage: saved soon after it changes
 * (one write per burst of streamed items) and loaded once before the view's first `init`.
 */
import { join } from 'node:path';
import type { TranscriptItem } from '../core/protocol/webview';
import type { OelContext } from './context';
import { loadCore } from './core';

/** What is saved: the transcript on screen and the task it belongs to (a follow-up after a reload continues it). */
export interface TranscriptSnapshot { items: TranscriptItem[]; episodeId: string | undefined }

/** The saved transcript of one window's Agent view. */
export class TranscriptPersistence {
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> = Promise.resolve();

  /** `snapshot` is read when a save starts, so a save writes the transcript as it is then. */
  constructor(private readonly ctx: OelContext, private readonly snapshot: () => TranscriptSnapshot) {}

  /** Where the transcript is kept (this workspace's storage). */
  private get file(): string {
    return join((this.ctx.ext.storageUri ?? this.ctx.ext.globalStorageUri).fsPath, 'agent-transcript.json');
  }

  /**
   * Saves the transcript soon: at most `delayMs` after the first change not yet saved (streamed text arrives in many
   * small items: one write per burst). A pending save is not postponed by later items, so a steady stream (or a run
   * that keeps acting) is still saved every `delayMs`, not only once it pauses; a shorter delay (New Task) takes over.
   */
  schedule(delayMs = 300): void {
    if (this.saveTimer && delayMs > 0) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => { this.saveTimer = undefined; void this.saveNow(); }, delayMs);
  }

  /** Writes the transcript now, after any write in progress (the last one wins). */
  saveNow(): Promise<void> {
    const { items, episodeId } = this.snapshot();
    this.saving = this.saving.then(async () => {
      const { saveTranscript } = await loadCore();
      await saveTranscript(this.file, items, this.ctx.knownSecrets(), episodeId);
    }).catch((e: unknown) => this.ctx.log.warn(`the Agent view's transcript could not be saved: ${(e as Error).message}`));
    return this.saving;
  }

  /** The saved transcript (empty when none was saved), with how many unreadable parts were left out. */
  async load(): Promise<{ items: TranscriptItem[]; dropped: number; episodeId?: string }> {
    const { loadTranscript } = await loadCore();
    return loadTranscript(this.file);
  }
}
