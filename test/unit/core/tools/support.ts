/** Shared fixtures of the tool tests: a tool context over a real NodeToolHost, and tool calls. */
import type { ApprovalDecision, ApprovalRequest } from '../../../../src/core/tools/host';
import { DEFAULT_APPROVAL_POLICY } from '../../../../src/core/tools/host';
import { NodeToolHost, type NodeToolHostOptions } from '../../../../src/core/tools/nodeToolHost';
import type { ToolContext } from '../../../../src/core/tools/executor';
import type { Step } from '../../../../src/core/trajectory/episode';

/**
 * A tool context on `root`. `approve` answers approvals (default: approve) and sees each request, so a test can act
 * while the user would be deciding; `requests` collects them.
 */
export function toolContext(root: string, over: Partial<ToolContext> & { approve?: (r: ApprovalRequest) => Promise<ApprovalDecision> | ApprovalDecision; host?: NodeToolHost; hostOptions?: NodeToolHostOptions } = {}) {
  const steps: Step[] = [];
  const requests: ApprovalRequest[] = [];
  const { approve, hostOptions, ...rest } = over;
  const ctx: ToolContext = {
    host: new NodeToolHost(root, hostOptions),
    approver: { approve: async (r) => { requests.push(r); return approve ? approve(r) : { decision: 'approved' }; } },
    policy: DEFAULT_APPROVAL_POLICY,
    trusted: true,
    signal: new AbortController().signal,
    record: (s) => steps.push(s),
    ...rest,
  };
  return { ctx, steps, requests };
}

let n = 0;
/** A tool call as the model sends it. */
export const call = (name: string, args: unknown) => ({ id: `c${n++}`, name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });
