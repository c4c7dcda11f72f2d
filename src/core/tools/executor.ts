/**
 * Runs one tool call from the model: parses and validates its arguments, enforces Restricted Mode and the approval
 * policy (with the files that always ask, sensitiveFiles.ts), goes through the host's WorkspaceFiles for every file
 * (which confines each path when it is used), and turns every failure into an observation for the model. It never
 * throws.
 */
import { createTwoFilesPatch } from 'diff';
import type { Step } from '../trajectory/episode';
import type { TaskCheckpoints } from '../agent/checkpoints';
import { truncateMiddle } from '../util/truncate';
import { TOOL_ARGS, TOOL_CATEGORY, isToolName, type ToolName } from './definitions';
import type { ApprovalPolicy, ApprovalRequest, Approver, EditProposal, ToolHost } from './host';
import { sensitiveEditReason } from './sensitiveFiles';
import { HUNK_CONTEXT, applySelectedHunks, type PartialEdit } from './hunks';
import { EditConflictError, textHash } from './workspaceFiles';
import { PathOutsideWorkspaceError } from './workspacePaths';
import { listDirTool, looksBinary, readDiagnosticsTool, readFileTool, searchTextTool, type ToolOutcome } from './readTools';

/** Longest observation sent to the model / stored in the trajectory, in characters. */
export const MAX_OBSERVATION_CHARS = 16_000;
/** Default command timeout. */
export const DEFAULT_COMMAND_TIMEOUT_S = 60;

/** What the executor needs from the loop. */
export interface ToolContext {
  host: ToolHost;
  approver: Approver;
  policy: ApprovalPolicy;
  trusted: boolean;
  signal: AbortSignal;
  /** Records a trajectory step (approval, edit, command). */
  record(step: Step): void;
  /** Called before waiting on the user, so the UI can show the request (without the edit's texts). */
  onApprovalNeeded?(request: Omit<ApprovalRequest, 'edit'>): void;
  onCommandOutput?(callId: string, chunk: string): void;
  /** The task's checkpoints: marked before each edit or command, and given every edit applied. */
  checkpoints?: TaskCheckpoints;
}

/** The observation for one call, ready for the model and the trajectory. */
export interface ToolObservation {
  callId: string;
  name: string;
  args: unknown;
  status: ToolOutcome['status'];
  output: string;
  originalSize: number;
  truncated: boolean;
  durationMs: number;
}

const now = () => new Date().toISOString();

/**
 * Asks the user unless the policy says `auto` for the category; a call with a `reason` (a file that changes what
 * runs) asks whatever the policy says.
 */
async function approve(ctx: ToolContext, callId: string, tool: ToolName, summary: string, detail: string, extra: { reason?: string; edit?: EditProposal } = {}): Promise<{ refusal: ToolOutcome | null; hunks?: number[] }> {
  const category = TOOL_CATEGORY[tool];
  if (ctx.policy[category] === 'auto' && !extra.reason) {
    if (category !== 'read') ctx.record({ kind: 'approval', at: now(), callId, tool, category, decision: 'auto' });
    return { refusal: null };
  }
  const shown = { callId, tool, category, summary, detail, ...(extra.reason ? { reason: extra.reason } : {}) };
  ctx.onApprovalNeeded?.(shown);
  const answer = await ctx.approver.approve({ ...shown, ...(extra.edit ? { edit: extra.edit } : {}) });
  ctx.record({ kind: 'approval', at: now(), callId, tool, category, decision: answer.decision, ...(answer.comment ? { comment: answer.comment } : {}) });
  if (answer.decision === 'approved') return { refusal: null, ...(extra.edit && answer.hunks ? { hunks: answer.hunks } : {}) };
  return { refusal: { status: 'rejected', output: `The user rejected this ${tool} call.${answer.comment ? ` Their comment: ${answer.comment}` : ''}` } };
}

async function editTool(ctx: ToolContext, callId: string, tool: 'propose_edit' | 'create_file', args: Record<string, string>): Promise<ToolOutcome> {
  const files = ctx.host.files;
  ctx.checkpoints?.mark(callId);
  const target = await files.resolve(args.path);
  let before = '';
  let after: string;
  let mode: EditProposal['mode'];
  if (tool === 'create_file') {
    if (target.kind) return { status: 'error', output: `${target.relative} already exists; use propose_edit to change it.` };
    mode = 'create';
    after = args.content;
  } else {
    if (target.kind !== 'file') return { status: 'error', output: `File not found: ${target.relative}. Use create_file for a new file.` };
    const { bytes } = await files.readFile(args.path);
    if (looksBinary(bytes)) return { status: 'error', output: `${target.relative} is a binary file; it cannot be edited as text.` };
    before = bytes.toString('utf8');
    if ('content' in args && args.content !== undefined && args.search === undefined) {
      mode = 'whole';
      after = args.content;
    } else {
      mode = 'replace';
      const count = before.split(args.search).length - 1;
      if (count !== 1) return { status: 'error', output: `The search text occurs ${count} times in ${target.relative}; it must occur exactly once. Read the file and quote a unique passage.` };
      after = before.replace(args.search, () => args.replace);
    }
  }
  // What is approved is what is written: these exact texts, and only while the file still holds `before`.
  const proposal: EditProposal = { path: target.relative, mode, before, after, beforeHash: mode === 'create' ? null : textHash(before) };
  const diff = createTwoFilesPatch(`a/${target.relative}`, `b/${target.relative}`, before, after, '', '', { context: HUNK_CONTEXT });
  // The path asked for and the file it really is: a link inside the workspace may name .vscode/settings.json.
  const reason = sensitiveEditReason(target.relative, before, after) ?? sensitiveEditReason(target.realRelative, before, after);
  let recorded = diff;
  const record = (accepted: boolean) => ctx.record({ kind: 'edit', at: now(), callId, path: target.relative, mode, accepted, diff: truncateMiddle(recorded, MAX_OBSERVATION_CHARS).text });
  const { refusal, hunks } = await approve(ctx, callId, tool, `${mode === 'create' ? 'Create' : 'Edit'} ${target.relative}`, diff, { reason, edit: proposal });
  if (refusal) {
    record(false);
    return refusal;
  }
  // Approved in part: exactly the accepted hunks are written, and the model is told which changes were left out.
  let applied = proposal;
  let partial: PartialEdit | null = null;
  if (hunks) {
    partial = applySelectedHunks(target.relative, before, after, hunks);
    if (!partial) { record(false); return { status: 'error', output: `The accepted changes could not be applied to ${target.relative}; nothing was written.` }; }
    if (partial.accepted === 0) {
      record(false);
      return { status: 'rejected', output: `The user rejected every change of this ${tool} call.` };
    }
    if (partial.accepted < partial.total) {
      applied = { ...proposal, after: partial.after };
      recorded = createTwoFilesPatch(`a/${target.relative}`, `b/${target.relative}`, before, partial.after, '', '', { context: HUNK_CONTEXT });
    } else {
      partial = null;
    }
  }
  try {
    await files.applyEdit(applied);
  } catch (e) {
    if (!(e instanceof EditConflictError) && !(e instanceof PathOutsideWorkspaceError)) throw e;
    record(false);
    return { status: e instanceof EditConflictError ? 'error' : 'refused', output: e.message };
  }
  record(true);
  ctx.checkpoints?.record({ callId, path: target.relative, before: mode === 'create' ? null : before, after: applied.after });
  if (partial) {
    return { status: 'ok', output: `Edited ${target.relative} with ${partial.accepted} of the ${partial.total} proposed changes: the user rejected the others, which were not applied:\n${truncateMiddle(partial.leftOut, MAX_OBSERVATION_CHARS / 2).text}` };
  }
  return { status: 'ok', output: `${mode === 'create' ? 'Created' : 'Edited'} ${target.relative}.` };
}

async function commandTool(ctx: ToolContext, callId: string, args: { command: string; timeout_s?: number }): Promise<ToolOutcome> {
  const timeoutS = args.timeout_s ?? DEFAULT_COMMAND_TIMEOUT_S;
  ctx.checkpoints?.mark(callId);
  const { refusal } = await approve(ctx, callId, 'run_command', `Run: ${args.command}`, args.command);
  if (refusal) return refusal;
  // What the command changes becomes part of its checkpoint (git repositories: gitSnapshot.ts).
  await ctx.checkpoints?.beforeCommand(callId, ctx.host.root);
  const started = performance.now();
  const r = await ctx.host.runCommand(args.command, { cwd: ctx.host.root, timeoutMs: timeoutS * 1000, signal: ctx.signal, onOutput: (c) => ctx.onCommandOutput?.(callId, c) });
  const durationMs = performance.now() - started;
  await ctx.checkpoints?.afterCommand(callId, ctx.host.root, ctx.host.files);
  ctx.record({ kind: 'command', at: now(), callId, command: args.command, exitCode: r.exitCode, timedOut: r.timedOut, cancelled: r.cancelled, durationMs });
  if (r.timedOut) return { status: 'timeout', output: `The command did not finish within ${timeoutS} s and was killed. Output so far:\n${r.output}` };
  if (r.cancelled) return { status: 'cancelled', output: `The command was cancelled by the user. Output so far:\n${r.output}` };
  return { status: r.exitCode === 0 ? 'ok' : 'error', output: `Exit code ${r.exitCode}.\n${r.output}` };
}

async function dispatch(ctx: ToolContext, callId: string, name: string, rawArgs: string): Promise<{ args: unknown; outcome: ToolOutcome }> {
  let args: unknown;
  try {
    args = rawArgs.trim() === '' ? {} : JSON.parse(rawArgs);
  } catch (e) {
    return { args: rawArgs, outcome: { status: 'error', output: `The arguments of ${name} are not valid JSON (${(e as Error).message}). Send a JSON object matching the tool's schema.` } };
  }
  if (!isToolName(name)) return { args, outcome: { status: 'error', output: `Unknown tool "${name}". Available tools: ${Object.keys(TOOL_ARGS).join(', ')}.` } };
  if (!ctx.trusted && TOOL_CATEGORY[name] !== 'read') {
    return { args, outcome: { status: 'refused', output: `Refused: the workspace is in Restricted Mode, so ${name} is not available. Only reading and searching are allowed.` } };
  }
  const parsed = TOOL_ARGS[name].safeParse(args);
  if (!parsed.success) {
    return { args, outcome: { status: 'error', output: `Invalid arguments for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` } };
  }
  // The switch below narrows by name; zod already checked that the data fits that tool's schema.
  const a = parsed.data as never;
  try {
    switch (name) {
      case 'read_file': return { args, outcome: await readFileTool(ctx.host, a) };
      case 'list_dir': return { args, outcome: await listDirTool(ctx.host, a) };
      case 'search_text': return { args, outcome: await searchTextTool(ctx.host, a) };
      case 'read_diagnostics': return { args, outcome: await readDiagnosticsTool(ctx.host, a) };
      case 'propose_edit':
      case 'create_file': return { args, outcome: await editTool(ctx, callId, name, a) };
      case 'run_command': return { args, outcome: await commandTool(ctx, callId, a) };
    }
  } catch (e) {
    if (e instanceof PathOutsideWorkspaceError) return { args, outcome: { status: 'refused', output: e.message } };
    return { args, outcome: { status: 'error', output: `${name} failed: ${(e as Error).message}` } };
  }
}

/** Executes one tool call and returns the (truncated) observation; never throws. */
export async function executeToolCall(ctx: ToolContext, call: { id: string; name: string; arguments: string }): Promise<ToolObservation> {
  const started = performance.now();
  const { args, outcome } = await dispatch(ctx, call.id, call.name, call.arguments);
  const t = truncateMiddle(outcome.output, MAX_OBSERVATION_CHARS);
  return { callId: call.id, name: call.name, args, status: outcome.status, output: t.text, originalSize: t.originalSize, truncated: t.truncated, durationMs: performance.now() - started };
}
