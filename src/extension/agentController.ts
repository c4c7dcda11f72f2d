/**
 * Runs agent tasks for the agent view: one {@link AgentSession} per task, a transcript the view renders (and gets
 * replayed on `ready`), approvals answered from the view or the editor title, and the end of each task (retention,
 * history refresh). Knows nothing about HTML.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ContextRef, TranscriptItem } from '../core/protocol/webview';
import type { OelContext } from './context';
import { loadCore, type AgentEvent, type AgentSession, type ApprovalDecision, type ApprovalRequest, type Approver, type ProviderFix, type StoreRecorder } from './core';
import type { EditReviews } from './edits';
import { VsCodeToolHost, openDocuments } from './toolHost';
import { RunGate } from './runGate';
import { EditCheckScheduler } from './editChecks';
import { transcriptItemFor } from './transcriptEvents';
import { TaskTerminal, terminalName } from './taskTerminal';
import { TaskTally } from './taskTally';

interface Pending { request: ApprovalRequest; resolve(d: ApprovalDecision): void }

/** The agent's task state for one window. */
export class AgentController {
  private session: AgentSession | null = null;
  private transcript: TranscriptItem[] = [];
  private readonly pending = new Map<string, Pending>();
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
  private readonly emitter = new vscode.EventEmitter<TranscriptItem | { type: 'cleared' } | { type: 'running'; running: boolean } | { type: 'feedbackStored'; rating: 'up' | 'down' } | { type: 'needsModel' }>();
  /** Admits one task at a time; the view and the status bar follow its state. */
  private readonly gate = new RunGate((running) => {
    this.ctx.setRunning(running);
    this.emitter.fire({ type: 'running', running });
  });
  /** Everything the view must hear about. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly ctx: OelContext, private readonly edits: EditReviews) {
    ctx.own(this.emitter);
    this.editChecks = ctx.own(new EditCheckScheduler(ctx));
    edits.onAnswer((callId, accepted) => this.decide(callId, accepted ? { decision: 'approved' } : { decision: 'rejected', comment: 'Rejected from the diff editor.' }));
  }

  get items(): readonly TranscriptItem[] { return this.transcript; }
  get running(): boolean { return this.ctx.isRunning; }
  get hasFeedback(): boolean { return this.feedbackGiven; }

  private push(item: TranscriptItem): void {
    this.transcript.push(item);
    this.emitter.fire(item);
    this.scheduleSave();
  }

  /** Where the current transcript is kept across window reloads (this workspace's storage). */
  private get transcriptFile(): string {
    return join((this.ctx.ext.storageUri ?? this.ctx.ext.globalStorageUri).fsPath, 'agent-transcript.json');
  }
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private restoring: Promise<void> | undefined;

  /** Saves the transcript soon (streamed text arrives in many small items: one write per burst). */
  private scheduleSave(delayMs = 300): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => { this.saveTimer = undefined; void this.saveNow(); }, delayMs);
  }

  /** Writes the transcript now, after any write in progress (the last one wins). */
  saveNow(): Promise<void> {
    const items = [...this.transcript];
    this.saving = this.saving.then(async () => {
      const { saveTranscript } = await loadCore();
      await saveTranscript(this.transcriptFile, items, this.ctx.knownSecrets());
    }).catch((e: unknown) => this.ctx.log.warn(`the Agent view's transcript could not be saved: ${(e as Error).message}`));
    return this.saving;
  }

  /**
   * Brings back the transcript of the task that was on screen before the window reloaded (once, before the view's
   * first `init`). Its run is over: a follow-up starts a new task.
   */
  restore(): Promise<void> {
    this.restoring ??= (async () => {
      if (this.transcript.length || this.session) return;
      const { loadTranscript } = await loadCore();
      const { items, dropped } = await loadTranscript(this.transcriptFile);
      if (dropped) this.ctx.log.warn(`the saved Agent view transcript had ${dropped} unreadable part(s); they were left out`);
      if (!items.length || this.transcript.length || this.session) return;
      this.transcript = [...items, { type: 'notice', message: 'Restored after the window was reloaded. A follow-up starts a new task.' }];
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
      const { AgentSession, StoreRecorder, NodeToolHost } = await loadCore();
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
        provider: local ? { baseUrl: 'llamacpp:local', model } : { baseUrl: cfg.baseUrl, model, apiKey, timeoutMs: cfg.requestTimeoutMs },
        ...(backend ? { backend } : {}),
        host: new VsCodeToolHost(new NodeToolHost(root, files), cfg, this.taskTerminal(text)),
        approver: this.approver(),
        // Read at each tool call: a change of approval policy or of workspace trust applies to the next call.
        policy: () => cfg.policy,
        trusted: () => this.ctx.trusted,
        knowledge: this.ctx.knowledge,
        maxSteps: cfg.maxSteps,
        recorder: this.recorder,
        onEvent: (e) => { if (gen === this.generation) this.onEvent(e); },
      });
      if (!store) this.error('The task history could not be opened; this task will not be recorded (see the log).');
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

  private approver(): Approver {
    return {
      approve: (request) => new Promise<ApprovalDecision>((resolve) => {
        this.pending.set(request.callId, { request, resolve });
        if (request.category === 'edit') this.edits.add(request.callId);
      }),
    };
  }

  /** Answers a pending approval (view buttons, editor title, Stop). */
  decide(callId: string, decision: ApprovalDecision): void {
    const p = this.pending.get(callId);
    if (!p) return;
    this.pending.delete(callId);
    this.edits.remove(callId);
    p.resolve(decision);
  }

  /** Opens the diff of a pending edit approval: exactly what Accept writes. */
  async openDiff(callId: string): Promise<void> {
    const p = this.pending.get(callId);
    if (!p?.request.edit) { void vscode.window.showInformationMessage('OEL Agent: this edit is no longer waiting for a decision.'); return; }
    await this.edits.open(callId, p.request.edit);
  }

  /** Opens what a run of the current task changed in `path`: its text before the run against the file now. */
  async openChange(path: string): Promise<void> {
    const tally = [...this.tallies].reverse().find((t) => t.textBefore(path) !== undefined);
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!tally || !root) { void vscode.window.showInformationMessage(`OEL Agent: this task did not change ${path}.`); return; }
    await this.edits.showChange(root, path, tally.textBefore(path) ?? null);
  }

  /** Stops the run: model request, running command and pending approvals. */
  stop(): void {
    if (!this.session?.running) return;
    this.ctx.log.info('stop requested');
    for (const id of [...this.pending.keys()]) this.decide(id, { decision: 'rejected', comment: 'stopped' });
    this.session.stop();
  }

  /** The current task's terminal, made when the task starts (VS Code creates the terminal itself on the first command). */
  private taskTerminal(request: string): TaskTerminal {
    this.terminal?.dispose();
    this.terminal = new TaskTerminal(terminalName(request));
    return this.terminal;
  }

  /** Stops any run and starts clean. */
  newTask(): void {
    this.stop();
    this.generation++;
    this.session = null;
    this.terminal?.dispose();
    this.terminal = undefined;
    this.transcript = [];
    this.tallies = [];
    this.feedbackGiven = false;
    this.ended = false;
    this.emitter.fire({ type: 'cleared' });
    this.scheduleSave(0);
  }

  /** Records thumbs up/down on the current task. */
  async feedback(rating: 'up' | 'down', comment?: string): Promise<void> {
    if (!this.session || !this.ended) return;
    await this.session.feedback(rating, comment?.trim() || undefined);
    this.feedbackGiven = true;
    this.ctx.log.info(`feedback ${rating} on task ${this.session.episodeId}`);
    this.emitter.fire({ type: 'feedbackStored', rating });
    this.ctx.historyChanged();
  }
}
