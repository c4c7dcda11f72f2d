/**
 * One joined team as the extension uses it: the client, the queue, the audit log and the adapters folder of one
 * server under one storage folder, so the VS Code side wires each command to one call. Layout under `storage` (the
 * extension's global storage):
 *
 *   team/<server>/queue.json     unsent submissions (SubmissionQueue)
 *   team/<server>/audit.jsonl    what was sent (appendAudit)
 *   adapters/<server>/<version>/ verified versions; adapters/<server>/active.json the active one
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KnowledgeDocument } from '../knowledge/format';
import type { ReviewLookup } from '../knowledge/review';
import { pruneAdapters, receiveAdapter, serverFolderName, type AdapterResult } from './adapters';
import { appendAudit } from './audit';
import { TeamClient, type TeamClientOptions, type TeamPin } from './client';
import { flushQueue, type FlushResult } from './flush';
import { itemsToShare } from './knowledgeSharing';
import { buildSubmission, type Anonymizer, type SubmissionDraft } from './payload';
import { SubmissionQueue } from './queue';
import { activateAdapter, deactivateAdapter, readActiveAdapter, rollBackAdapter, type ActivationResult, type ActiveAdapter, type AdapterRuntime } from './runtime';

/** What {@link TeamSession.updateAdapter} did. */
export type AdapterUpdate =
  | { kind: 'none' }
  | { kind: 'up_to_date'; active: ActiveAdapter }
  | { kind: 'refused'; result: Extract<AdapterResult, { ok: false }> }
  | { kind: 'activated'; active: ActiveAdapter; downloaded: boolean };

export class TeamSession {
  readonly client: TeamClient;
  readonly server: string;
  readonly queue: SubmissionQueue;
  readonly auditPath: string;
  readonly adaptersRoot: string;

  constructor(readonly opts: { storage: string; pin: TeamPin; token: string; runtime: AdapterRuntime; keep?: number } & Omit<TeamClientOptions, 'pin' | 'token'>) {
    this.client = new TeamClient(opts);
    this.server = serverFolderName(opts.pin.url);
    this.queue = new SubmissionQueue(join(opts.storage, 'team', this.server, 'queue.json'));
    this.auditPath = join(opts.storage, 'team', this.server, 'audit.jsonl');
    this.adaptersRoot = join(opts.storage, 'adapters');
  }

  /** Builds the next submission from the consented items (for the preview); null when there is nothing to share. */
  async draft(docs: KnowledgeDocument[], workspaceDefault: 'yes' | 'no', anonymizer: Anonymizer, o: { taskStatements?: string[]; reviews?: ReviewLookup } = {}): Promise<SubmissionDraft | null> {
    const items = docs.flatMap((d) => itemsToShare(d, workspaceDefault, o.reviews));
    if (items.length === 0 && !o.taskStatements?.length) return null;
    return buildSubmission({ items, taskStatements: o.taskStatements }, anonymizer);
  }

  /** Sends the queue, logging each sent submission (exact body and answer) before it leaves the queue. */
  send(signal?: AbortSignal): Promise<FlushResult> {
    return flushQueue(this.client, this.queue, {
      signal,
      onSent: (e, response) => appendAudit(this.auditPath, { server: this.opts.pin.url, submission_id: e.submission_id, body: e.body, response }),
    });
  }

  /**
   * Makes the server's current version the active one: downloads and verifies it if it is not stored yet, keeps the
   * last `keep` versions (never the active one), and hands it to the runtime. A refused version changes nothing.
   */
  async updateAdapter(signal?: AbortSignal): Promise<AdapterUpdate> {
    const current = await this.client.currentAdapter(signal);
    if (current === null) return { kind: 'none' };
    const active = await readActiveAdapter(this.adaptersRoot, this.server);
    if (active?.version === current) return { kind: 'up_to_date', active };
    const got = await receiveAdapter({ client: this.client, version: current, root: this.adaptersRoot, server: this.server, keep: this.opts.keep, protect: active ? [active.version] : [], signal });
    if (!got.ok) return { kind: 'refused', result: got };
    const now = await activateAdapter({ root: this.adaptersRoot, server: this.server, version: current, pin: this.opts.pin, runtime: this.opts.runtime });
    // The version active until now was protected while the new one was verified; now only the new one is.
    await pruneAdapters(this.adaptersRoot, this.server, this.opts.keep, [current]);
    return { kind: 'activated', active: now, downloaded: !got.alreadyStored };
  }

  /** "Roll Back": the previous kept version becomes active. */
  rollBack(): Promise<ActiveAdapter> {
    return rollBackAdapter({ root: this.adaptersRoot, server: this.server, pin: this.opts.pin, runtime: this.opts.runtime });
  }

  /** Back to the base model: no version of this server is active (kept versions stay, for a later update). */
  deactivate(): Promise<ActivationResult> {
    return deactivateAdapter({ root: this.adaptersRoot, server: this.server, runtime: this.opts.runtime });
  }

  /** "Leave Team" cleanup the caller may ask for: deletes this server's stored adapters (the queue and log stay). */
  async removeAdapters(): Promise<void> {
    await this.opts.runtime.activate(null);
    await rm(join(this.adaptersRoot, this.server), { recursive: true, force: true });
  }
}
