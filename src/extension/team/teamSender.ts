/**
 * Building and sending submissions from the editor: what the next submission holds (the consented items of the
 * knowledge files, under the window's sharing settings, anonymized), the rule that the first submission to a server
 * goes through the preview, and one send path used by the preview, "Send Now" and the schedule: enqueue the exact
 * body, flush the queue (TeamSession.send: retries, audit log), and write each item's team id and status back into
 * its knowledge file.
 */
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { loadCore, type FlushResult, type SubmissionDraft, type SubmissionPlan, type TeamSession } from '../core';
import type { KnowledgeFiles } from '../knowledge/knowledgeFiles';
import { teamOf } from './joinCommands';
import { ConsentRecords } from './consentRecords';
import { teamSharing } from './teamConfig';
import type { TeamSharingSettings } from './teamSettings';

const FIRST_SEND_STATE = 'oel.team.previewedServers';
const LAST_SENT_STATE = 'oel.team.lastSentAt';

/** The next submission as the preview shows it, or why there is none. */
export interface NextSubmission {
  session: TeamSession;
  settings: TeamSharingSettings;
  plan: SubmissionPlan;
  /** Null when nothing is consented and ready. */
  draft: SubmissionDraft | null;
  /** Unsent submissions already in the queue (approved earlier, e.g. a send that failed). */
  queued: number;
  /** Why the submission could not be built (an item the protocol refuses, named), when it could not. */
  problem?: string;
}

/** What a send did, for messages and the status bar. */
export interface SendOutcome { result: FlushResult; updatedItems: number }

export class TeamSender implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired after a send, an enqueue, or anything that changes the queue. */
  readonly onDidChange = this.changed.event;
  private sending: Promise<SendOutcome> | undefined;
  /** Consents given on this machine (what lets an item leave without the preview). */
  readonly consents: ConsentRecords;

  constructor(private readonly ctx: OelContext, private readonly files: KnowledgeFiles) {
    this.consents = new ConsentRecords(ctx.ext.globalState);
  }

  /** The settings of this window now. */
  settings(): TeamSharingSettings { return teamSharing(this.ctx.ext); }

  /** The joined session, or an error that says how to join. */
  async session(): Promise<TeamSession> {
    const s = await teamOf(this.ctx).session();
    if (!s) throw new Error('join a team first (OEL Agent: Join Team Consolidation…).');
    return s;
  }

  /**
   * Plans and builds the next submission. `onlyConfirmed` (a send without the preview) leaves out items whose consent
   * was not given on this machine. Restricted Mode shares nothing at all.
   */
  async next(o: { submissionId?: string; onlyConfirmed?: boolean } = {}): Promise<NextSubmission> {
    if (!vscode.workspace.isTrusted) throw new Error('Restricted Mode never shares knowledge with a team. Trust the workspace first.');
    const core = await loadCore();
    const session = await this.session();
    await this.files.init();
    const settings = this.settings();
    const pending = await session.queue.list();
    const plan = core.planSubmission(this.files.files().filter((f) => !f.readOnly).map((f) => ({ scope: f.scope, doc: f.doc })), {
      shareWorkspaceKnowledge: settings.shareWorkspaceKnowledge, shareByDefault: settings.shareByDefault, queued: core.queuedClientIds(pending), reviews: this.files.reviews(),
      confirmed: this.consents.lookup(), onlyConfirmed: o.onlyConfirmed === true,
    });
    const statements = settings.shareTaskStatements ? await this.taskStatements(plan) : [];
    let draft: SubmissionDraft | null = null;
    try {
      if (plan.items.length) draft = await core.buildSubmission({ items: plan.items, taskStatements: statements, submissionId: o.submissionId }, await this.anonymizer(settings));
    } catch (e) {
      // An item the protocol refuses (too long once anonymized) is named, so the user can shorten it or not share it.
      if (!(e instanceof core.TeamError)) throw e;
      return { session, settings, plan, draft: null, queued: pending.length, problem: e.message };
    }
    return { session, settings, plan, draft, queued: pending.length };
  }

  /**
   * How many items wait to leave (consented and ready, plus those inside queued submissions) and the queue's last
   * error, for the status bar. Plans without anonymizing, so it is cheap enough to run on every change.
   */
  async waiting(): Promise<{ waiting: number; lastError?: string } | null> {
    // Not joined: nothing to count, and the core is not loaded for it.
    if (!teamOf(this.ctx).joined) return null;
    const session = await teamOf(this.ctx).session();
    if (!session) return null;
    const core = await loadCore();
    await this.files.init();
    const pending = await session.queue.list();
    const queued = core.queuedClientIds(pending);
    const settings = this.settings();
    const ready = vscode.workspace.isTrusted ? core.planSubmission(this.files.files().filter((f) => !f.readOnly).map((f) => ({ scope: f.scope, doc: f.doc })), {
      shareWorkspaceKnowledge: settings.shareWorkspaceKnowledge, shareByDefault: settings.shareByDefault, queued, reviews: this.files.reviews(),
    }).items.length : 0;
    const lastError = pending.find((p) => p.last_error)?.last_error ?? undefined;
    return { waiting: ready + queued.size, ...(lastError ? { lastError } : {}) };
  }

  /** The requests of the tasks the planned items were learned from (History's titles: the first 80 characters). */
  private async taskStatements(plan: SubmissionPlan): Promise<string[]> {
    const episodes = new Set<string>();
    for (const e of this.files.entries()) {
      if (!e.tombstone && plan.items.some((i) => i.id === e.item.id && i.scope === e.file.scope)) for (const s of e.item.sources) episodes.add(s.episode);
    }
    if (!episodes.size) return [];
    const rows = await (await this.ctx.store()).list();
    const { MAX_STATEMENTS_PER_SUBMISSION } = await loadCore();
    return [...new Set(rows.filter((r) => episodes.has(r.id) && r.title.trim()).map((r) => r.title.trim()))].slice(0, MAX_STATEMENTS_PER_SUBMISSION);
  }

  /** The anonymizer with what this machine knows to hide: the git user name, the "also hide" terms, the API key and token. */
  private async anonymizer(settings: TeamSharingSettings) {
    const core = await loadCore();
    const names = await gitUserName().then((n) => (n ? [n] : []));
    return core.teamAnonymizer({ names, terms: settings.alsoHide, secrets: this.ctx.knownSecrets() });
  }

  /** Whether a submission to this server was ever sent from the preview (until then every send goes through it). */
  firstSendDone(server: string): boolean {
    return (this.ctx.ext.globalState.get<string[]>(FIRST_SEND_STATE) ?? []).includes(server);
  }

  /** When the queue of this server was last sent (null: never). */
  lastSentAt(server: string): Date | null {
    const at = (this.ctx.ext.globalState.get<Record<string, string>>(LAST_SENT_STATE) ?? {})[server];
    const d = at ? new Date(at) : null;
    return d && !Number.isNaN(d.getTime()) ? d : null;
  }

  /**
   * Sends: the previewed `draft` if given (its exact body is queued), then everything queued. `fromPreview` marks the
   * server as previewed. One send at a time: a second call while one runs gets the running one's outcome.
   */
  send(o: { draft?: SubmissionDraft; fromPreview?: boolean; signal?: AbortSignal }): Promise<SendOutcome> {
    this.sending ??= this.doSend(o).finally(() => { this.sending = undefined; this.changed.fire(); });
    return this.sending;
  }

  private async doSend(o: { draft?: SubmissionDraft; fromPreview?: boolean; signal?: AbortSignal }): Promise<SendOutcome> {
    if (!vscode.workspace.isTrusted) throw new Error('Restricted Mode never shares knowledge with a team. Trust the workspace first.');
    const core = await loadCore();
    const session = await this.session();
    if (o.draft) await session.queue.add(o.draft);
    // Sending from the preview is the user's consent, on this machine, to each item as it read there.
    if (o.draft && o.fromPreview) await this.consents.record(o.draft.items.map((i) => ({ id: i.client_id, hash: core.itemTextHash(i.original) })));
    if (o.fromPreview) {
      const done = this.ctx.ext.globalState.get<string[]>(FIRST_SEND_STATE) ?? [];
      if (!done.includes(session.server)) await this.ctx.ext.globalState.update(FIRST_SEND_STATE, [...done, session.server]);
    }
    this.changed.fire();
    const result = await session.send(o.signal);
    let updatedItems = 0;
    if (result.sent.length) {
      const last = this.ctx.ext.globalState.get<Record<string, string>>(LAST_SENT_STATE) ?? {};
      await this.ctx.ext.globalState.update(LAST_SENT_STATE, { ...last, [session.server]: new Date().toISOString() });
      // Each accepted item records the server's id and status in its own file (the ids are the files' ids).
      const acceptedIds = new Set(result.sent.flatMap((x) => x.response.accepted.map((a) => a.client_id)));
      for (const f of this.files.files().filter((x) => !x.readOnly)) {
        // Only files holding an accepted item are written.
        if (!core.liveItems(f.doc).some((i) => acceptedIds.has(i.id))) continue;
        let changed = 0;
        await this.files.update(f.scope, (doc) => { for (const x of result.sent) changed += core.applySubmissionResponse(doc, x.response).length; });
        updatedItems += changed;
      }
    }
    for (const s of result.sent) this.ctx.log.info(`team: sent ${s.submission_id} to ${session.opts.pin.url}: ${s.response.accepted.length} accepted, ${s.response.rejected.length} rejected`);
    if (result.error) this.ctx.log.warn(`team: send stopped: ${result.error.message}`);
    return { result, updatedItems };
  }

  /** Updates shared items' team status (waiting → admitted/rejected) from the server's list. Returns how many changed. */
  async refreshStatuses(): Promise<number> {
    const core = await loadCore();
    const session = await teamOf(this.ctx).session();
    if (!session) return 0;
    await this.files.init();
    const shared = this.files.entries().some((e) => e.item.team && !e.tombstone);
    if (!shared) return 0;
    const { items } = await session.client.knowledge();
    let changed = 0;
    for (const f of this.files.files().filter((x) => !x.readOnly)) {
      if (!this.files.entries().some((e) => e.file === f && e.item.team)) continue;
      await this.files.update(f.scope, (doc) => { changed += core.applyTeamStatuses(doc, items).length; });
    }
    return changed;
  }

  dispose(): void { this.changed.dispose(); }
}

/**
 * The user's name from their global git config, to hide it in shared text. Global only and run from the home folder:
 * a repository's own .git/config is not read (it could name a helper to run).
 */
function gitUserName(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['config', '--global', 'user.name'], { cwd: homedir(), timeout: 3000, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } }, (err, stdout) => {
      const name = err ? '' : stdout.trim();
      resolve(name && name.length <= 200 ? name : null);
    });
  });
}
