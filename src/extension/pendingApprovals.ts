/**
 * The agent's approval requests waiting for the user: answered from the Agent view's buttons, from the diff editor's
 * title (edits), or by Stop. An edit request is also offered for review in the diff editor while it waits.
 */
import * as vscode from 'vscode';
import type { ApprovalDecision, ApprovalRequest, Approver } from './core';
import type { EditReviews } from './edits';

interface Pending { request: ApprovalRequest; resolve(d: ApprovalDecision): void }

/** The approvals of one window's agent, keyed by tool call id. */
export class PendingApprovals {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly edits: EditReviews) {
    edits.onAnswer((callId, accepted) => this.decide(callId, accepted ? { decision: 'approved' } : { decision: 'rejected', comment: 'Rejected from the diff editor.' }));
  }

  /** The approver a session asks: each request waits here until {@link decide} answers it. */
  approver(): Approver {
    return {
      approve: (request) => new Promise<ApprovalDecision>((resolve) => {
        this.pending.set(request.callId, { request, resolve });
        if (request.category === 'edit') this.edits.add(request.callId);
      }),
    };
  }

  /** Answers a pending approval; an unknown or already answered call is ignored. */
  decide(callId: string, decision: ApprovalDecision): void {
    const p = this.pending.get(callId);
    if (!p) return;
    this.pending.delete(callId);
    this.edits.remove(callId);
    p.resolve(decision);
  }

  /** Rejects every pending approval with `comment` (Stop). */
  rejectAll(comment: string): void {
    for (const id of [...this.pending.keys()]) this.decide(id, { decision: 'rejected', comment });
  }

  /** Opens the diff of a pending edit approval: exactly what Accept writes. */
  async openDiff(callId: string): Promise<void> {
    const p = this.pending.get(callId);
    if (!p?.request.edit) { void vscode.window.showInformationMessage('OEL Agent: this edit is no longer waiting for a decision.'); return; }
    await this.edits.open(callId, p.request.edit);
  }
}
