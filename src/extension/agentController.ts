/**
 * Runs agent tasks for the agent view: one {@link AgentSession} per task, a transcript the view renders (and gets
 * replayed on `ready`), approvals answered from the view or the editor title, and the end of each task (retention,
 * history refresh). Knows nothing about HTML.
 */
import * as vscode from 'vscode';
import type { ContextRef, TranscriptItem } from '../core/protocol/webview';
import type { OelContext } from './context';
import { loadCore, type AgentEvent, type AgentSession, type ApprovalDecision, type ChatMessage, type ProviderFix, type StoreRecorder } from './core';
import type { EditReviews } from './edits';
import { VsCodeToolHost, openDocuments } from './toolHost';
import { RunGate } from './runGate';
import { EditCheckScheduler } from './editChecks';
import { summarizeArgs, transcriptItemFor } from './transcriptEvents';
import { TaskTerminal, terminalName } from './taskTerminal';
import { TaskTally } from './taskTally';
import { episodeAdapterVersion } from './runtime/adapterModel';
import { TranscriptPersistence } from './transcriptPersistence';
import { PendingApprovals } from './pendingApprovals';
import { loadTaskCheckpoints, pastTaskRestoreTarget, restoreConfirmingOverwrite, restoreNotices, saveTaskCheckpoints, sessionRestoreTarget, type EpisodeCheckpoints, type RestoreTarget } from './checkpointRestore';

/** The agent's task state for one window. */
export class AgentController {
  private session: AgentSession | null = null;
  private transcript: TranscriptItem[] = [];
  private readonly approvals: PendingApprovals;
  private feedbackGiven = false;
  /** Bumped by New Task, so events of a stopped, still-finishing session do not reach the new transcript. */
  private generation = 0;
  private ended = false;
  private readonly editChecks: EditCheckScheduler;
  /** Records the current task's steps; kept so the end of a task can wait until it is on disk. */
  private recorder: StoreRecorder | undefined;
  private terminal: TaskTerminal | undefined;
  /** What each run of the current task did (end-of-task summaries; their files open their diffs). */
  private tallies: TaskTally[] = [];
  /** A past task shown for resuming (History → Resume, or the task on screen before a reload): the next send continues it. */
  private resumeFrom: { episodeId: string; messages: ChatMessage[] } | undefined;
  /** That past task's saved checkpoints: its cards offer Restore until the next message starts the continuation. */
  private pastCheckpoints: EpisodeCheckpoints | undefined;
  private readonly saved: TranscriptPersistence;
  private restoring: Promise<void> | undefined;
  private readonly emitter = new vscode.EventEmitter<TranscriptItem | { type: 'cleared' } | { type: 'running'; running: boolean } | { type: 'feedbackStored'; rating: 'up' | 'down' } | { type: 'needsModel' } | { type: 'checkpoints'; restorable: string[] }>();
  /** Admits one task at a time; the view and the status bar follow its state. */
  private readonly gate = new RunGate((running) => {
    this.ctx.setRunning(running);
    this.emitter.fire({ type: 'running', running });
    this.emitter.fire({ type: 'checkpoints', restorable: this.restorable });
  });
  /** Everything the view must hear about. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly ctx: OelContext, private readonly edits: EditReviews) {
    ctx.own(this.emitter);
    this.editChecks = ctx.own(new EditCheckScheduler(ctx));
    this.approvals = new PendingApprovals(edits);
    this.saved = new TranscriptPersistence(ctx, () => ({ items: [...this.transcript], episodeId: this.session?.episodeId ?? this.resumeFrom?.episodeId }));
  }

  get items(): readonly TranscriptItem[] { return this.transcript; }
  get running(): boolean { return this.ctx.isRunning; }
  get hasFeedback(): boolean { return this.feedbackGiven; }
  /** The current task's calls with a checkpoint to restore to; none while a run is in progress. */
  get restorable(): string[] {
    if (this.ctx.isRunning) return [];
    return (this.session?.checkpoints ?? this.pastCheckpoints?.checkpoints)?.restorable() ?? [];
  }

  /** The saved checkpoints of a past task shown in the view (after a reload, or resumed from History). */
  private async loadPastCheckpoints(episodeId: string): Promise<void> {
    this.pastCheckpoints = await loadTaskCheckpoints(this.ctx, episodeId);
  }

  private push(item: TranscriptItem): void {
    this.transcript.push(item);
    this.emitter.fire(item);
    this.saved.schedule();
  }

  /** Writes the transcript now, after any write in progress (the last one wins). */
  saveNow(): Promise<void> {
    return this.saved.saveNow();
  }

  /**
   * Brings back the transcript of the task that was on screen before the window reloaded (once, before the view's
   * first `init`). Its run is over: a follow-up starts a new task.
   */
  restore(): Promise<void> {
    this.restoring ??= (async () => {
      if (this.transcript.length || this.session) return;
      const { conversationOf } = await loadCore();
      const { items, dropped, episodeId } = await this.saved.load();
      if (dropped) this.ctx.log.warn(`the saved Agent view transcript had ${dropped} unreadable part(s); they were left out`);
      if (!items.length || this.transcript.length || this.session) return;
      // The task is in the history: a follow-up continues it with its whole conversation (a new episode linked to it).
      const episode = episodeId ? (await this.ctx.store().catch(() => null))?.read(episodeId) : undefined;
      if (episode) {
        this.resumeFrom = { episodeId: episode.id, messages: conversationOf(episode) };
        await this.loadPastCheckpoints(episode.id);
      }
      // Feedback already given is not asked for again; otherwise "Was this helpful?" records on that task.
      this.feedbackGiven = !!episode?.steps.some((s) => s.kind === 'feedback');
      this.transcript = [...items, { type: 'notice', message: episode ? 'Restored after the window was reloaded. A follow-up continues this task with its conversation.' : 'Restored after the window was reloaded. A follow-up starts a new task.' }];
      this.ended = true;
    })().catch((e: unknown) => this.ctx.log.warn(`the Agent view's transcript could not be restored: ${(e as Error).message}`));
    return this.restoring;
  }

  /** An error shown in the view and the log. */
  error(message: string, fixes?: ProviderFix[]): void {
    this.ctx.log.error(message);
    this.push({ type: 'error', message, ...(fixes?.length ? { fixes } : {}) });
  }

  /** Starts a task, or continues the current one. */
  async send(text: string, context: readonly ContextRef[] = []): Promise<void> {
    // The gate is claimed before the first await: a second send while this one is still starting is refused.
    if (!(await this.gate.run((release) => this.runTask(text, release, context)))) this.error('The agent is still running. Stop it or wait for it to finish before sending.');
  }

  /** The body of {@link send}; `release` ends the run (the view's Send comes back) before the history bookkeeping. */
  private async runTask(text: string, release: () => void, context: readonly ContextRef[]): Promise<void> {
    const model = this.ctx.config.model;
    const adapter = this.ctx.adapters?.active();
    if (!model) {
      // Said once, where the user is looking: the view's "no model" notice carries the fix; no toast, no error card.
      this.ctx.log.warn('a task was sent with no model configured (oel.provider.model)');
      this.emitter.fire({ type: 'needsModel' });
      return;
    }
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!root) { this.error('Open a folder first: the agent works on the files of a workspace folder.'); return; }
    const continuing = this.session !== null;
    if (!continuing) {
      // Earlier tasks' edit checks run before this task starts, so their outcome is recorded before it can learn.
      await this.editChecks.runPending();
      const { AgentSession, StoreRecorder, NodeToolHost, EMBEDDED_PROVIDER_URL } = await loadCore();
      const apiKey = await this.ctx.apiKey();
      const store = await this.ctx.store().catch(() => null);
      const cfg = this.ctx.config;
      const gen = this.generation;
      this.recorder = store ? new StoreRecorder(store, { knownSecrets: this.ctx.knownSecrets(), onError: (m) => this.error(m) }) : undefined;
      const files = { documents: openDocuments(), onApplied: (p: string) => this.ctx.log.info(`edited ${p}`) };
      // The embedded runtime answers through its local model process; the trajectory names it by its GGUF file.
      const local = cfg.providerKind === 'llamacpp' ? cfg.llamacpp : null;
      const backend = local ? (await this.ctx.localModel()).backend(local) : undefined;
      this.session = new AgentSession({
        provider: local ? { baseUrl: EMBEDDED_PROVIDER_URL, model } : { baseUrl: cfg.baseUrl, model, apiKey, timeoutMs: cfg.requestTimeoutMs },
        ...(backend ? { backend } : {}),
        host: new VsCodeToolHost(new NodeToolHost(root, files), cfg, this.taskTerminal(text)),
        approver: this.approvals.approver(),
        // Read at each tool call: a change of approval policy or of workspace trust applies to the next call.
        policy: () => cfg.policy,
        trusted: () => this.ctx.trusted,
        knowledge: this.ctx.knowledge,
        maxSteps: cfg.maxSteps,
        recorder: this.recorder,
        // The adapter the model runs with, read with the model id above (the same state decides both).
        // tokensSaved: what the adapter's absorbed items would have cost this prompt (kept by the Team receiving side).
        ...(adapter ? { adapter: { version: episodeAdapterVersion(adapter), ...(this.ctx.team?.tokensSaved !== undefined ? { tokensSaved: this.ctx.team.tokensSaved } : {}) } } : {}),
        ...(this.resumeFrom ? { resume: this.resumeFrom } : {}),
        onEvent: (e) => { if (gen === this.generation) this.onEvent(e); },
      });
      if (!store) this.error('The task history could not be opened; this task will not be recorded (see the log).');
      if (this.resumeFrom) this.ctx.log.info(`task continues ${this.resumeFrom.episodeId}`);
      this.resumeFrom = undefined;
      // The continuation has checkpoints of its own; the past task's stay on disk (Resume it again to use them).
      this.pastCheckpoints = undefined;
    }
    const session = this.session!;
    this.ended = false;
    this.feedbackGiven = false;
    this.tallies.push(new TaskTally(root));
    // Attachments are read now (confined to the workspace) and become part of the request the model and the
    // trajectory get; the view shows the request with the attachments' names.
    const core = await loadCore();
    const prompt = await core.withAttachedContext(new core.WorkspaceFiles(root), text, context);
    this.push({ type: 'user', text, ...(context.length ? { context: context.map(core.contextLabel) } : {}) });
    this.ctx.log.info(`${continuing ? 'follow-up on' : 'starting'} task ${session.episodeId} (model ${model}, trusted ${this.ctx.trusted})`);
    let finished: string | undefined;
    try {
      const outcome = continuing ? await session.followUp(prompt) : await session.start(prompt);
      this.ctx.log.info(`task ${outcome.episodeId} ended: ${outcome.reason} — ${outcome.message}`);
      this.editChecks.schedule(outcome.episodeId, root);
      finished = outcome.episodeId;
    } catch (e) {
      this.error(`The task could not run: ${(e as Error).message}`);
    } finally {
      release();
      await saveTaskCheckpoints(this.ctx, session);
      // The end of the task reaches the index through the recorder's queue: wait for it, or History shows it running.
      await this.recorder?.flush().catch(() => undefined);
      this.ctx.historyChanged();
      if (finished && this.recorder) this.ctx.taskFinished(finished);
      void this.ctx.applyRetention().catch((e: unknown) => this.ctx.log.warn(`retention failed: ${(e as Error).message}`));
    }
  }

  private onEvent(e: AgentEvent): void {
    if (e.type === 'task_started') this.ctx.historyChanged();
    if (e.type === 'task_ended') this.ended = true;
    const tally = this.tallies.at(-1);
    tally?.observe(e);
    const item = transcriptItemFor(e);
    if (item?.type === 'taskEnded' && tally) this.push({ ...item, summary: tally.summary() });
    else if (item) this.push(item);
  }

  /** Answers a pending approval (view buttons, editor title, Stop). */
  decide(callId: string, decision: ApprovalDecision): void {
    this.approvals.decide(callId, decision);
  }

  /** Opens the diff of a pending edit approval: exactly what Accept writes. */
  openDiff(callId: string): Promise<void> {
    return this.approvals.openDiff(callId);
  }

  /** Opens what a run of the current task changed in `path`: its text before the run against the file now. */
  async openChange(path: string): Promise<void> {
    const tally = [...this.tallies].reverse().find((t) => t.textBefore(path) !== undefined);
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!tally || !root) { void vscode.window.showInformationMessage(`OEL Agent: this task did not change ${path}.`); return; }
    await this.edits.showChange(root, path, tally.textBefore(path) ?? null);
  }

  /**
   * Restores the files to the checkpoint before `callId` (null: undo all changes of the task). Files the user changed
   * since the agent wrote them are overwritten only after the user confirms it; the outcome is said in the transcript.
   */
  async restoreCheckpoint(callId: string | null): Promise<void> {
    if (this.ctx.isRunning) { this.error('The agent is running. Stop it or wait for it to finish before restoring files.'); return; }
    const target = await this.restoreTarget();
    if (!target) { this.error('This task has no checkpoints to restore (they were not kept, or the task was deleted).'); return; }
    const result = await restoreConfirmingOverwrite(target, callId);
    await this.recorder?.flush().catch(() => undefined);
    await saveTaskCheckpoints(this.ctx, target);
    for (const message of restoreNotices(result, callId)) this.push({ type: 'notice', message });
    this.ctx.log.info(`restore ${callId ?? 'all'} of task ${target.episodeId}: restored ${result.restored.length}, left ${result.conflicts.length}`);
    this.emitter.fire({ type: 'checkpoints', restorable: this.restorable });
    this.ctx.historyChanged();
  }

  /** Whose checkpoints a restore uses: the current session's, or those of the past task on screen. */
  private async restoreTarget(): Promise<RestoreTarget | undefined> {
    if (this.session) return sessionRestoreTarget(this.session);
    return this.pastCheckpoints ? pastTaskRestoreTarget(this.ctx, this.pastCheckpoints) : undefined;
  }

  /** Stops the run: model request, running command and pending approvals. */
  stop(): void {
    if (!this.session?.running) return;
    this.ctx.log.info('stop requested');
    this.approvals.rejectAll('stopped');
    this.session.stop();
  }

  /** The current task's terminal, made when the task starts (VS Code creates the terminal itself on the first command). */
  private taskTerminal(request: string): TaskTerminal {
    this.terminal?.dispose();
    this.terminal = new TaskTerminal(terminalName(request));
    return this.terminal;
  }

  /**
   * Shows a past task from History in the view, ready to continue: its conversation as it ended, and the next message
   * continues it with that whole conversation sent to the model (recorded as a new episode that `continues` it).
   */
  async resume(episodeId: string): Promise<void> {
    if (this.ctx.isRunning) { this.error('The agent is running. Stop it or wait for it to finish before resuming another task.'); return; }
    const episode = (await this.ctx.store()).read(episodeId);
    if (!episode) { this.error(`The task ${episodeId} is not in this workspace's history (deleted, or run in another workspace).`); return; }
    const { conversationOf, transcriptOf } = await loadCore();
    this.newTask();
    this.resumeFrom = { episodeId: episode.id, messages: conversationOf(episode) };
    await this.loadPastCheckpoints(episode.id);
    for (const item of transcriptOf(episode, summarizeArgs)) this.push(item);
    this.ended = true;
    // Feedback the task already has is shown as given; otherwise "Was this helpful?" records on that task.
    const given = episode.steps.filter((s) => s.kind === 'feedback').at(-1);
    if (given?.kind === 'feedback') { this.feedbackGiven = true; this.emitter.fire({ type: 'feedbackStored', rating: given.rating }); }
    this.push({ type: 'notice', message: `Resumed "${episode.title}" from History. Your next message continues it; the model gets its whole conversation.` });
    this.emitter.fire({ type: 'checkpoints', restorable: this.restorable });
    this.ctx.log.info(`resumed task ${episode.id} in the Agent view`);
  }

  /** Stops any run and starts clean. */
  newTask(): void {
    this.stop();
    this.generation++;
    this.session = null;
    this.resumeFrom = undefined;
    this.pastCheckpoints = undefined;
    this.terminal?.dispose();
    this.terminal = undefined;
    this.transcript = [];
    this.tallies = [];
    this.feedbackGiven = false;
    this.ended = false;
    this.emitter.fire({ type: 'cleared' });
    this.saved.schedule(0);
  }

  /**
   * Records thumbs up/down on the current task; for a past task shown for resuming (History, or after a reload),
   * on that task's episode, redacted like everything the recorder writes.
   */
  async feedback(rating: 'up' | 'down', comment?: string): Promise<void> {
    if (!this.ended) return;
    const text = comment?.trim() || undefined;
    let episodeId: string;
    if (this.session) {
      await this.session.feedback(rating, text);
      episodeId = this.session.episodeId;
    } else if (this.resumeFrom) {
      const { redactValueThorough } = await loadCore();
      episodeId = this.resumeFrom.episodeId;
      await (await this.ctx.store()).feedback(episodeId, rating, text === undefined ? undefined : await redactValueThorough(text, this.ctx.knownSecrets()));
    } else {
      return;
    }
    this.feedbackGiven = true;
    this.ctx.log.info(`feedback ${rating} on task ${episodeId}`);
    this.emitter.fire({ type: 'feedbackStored', rating });
    this.ctx.historyChanged();
  }
}
