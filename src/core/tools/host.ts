/**
 * The interfaces the tools use for everything environment-specific. VS Code implements them in src/extension;
 * {@link NodeToolHost} (nodeToolHost.ts) implements them on the plain filesystem for tests and the CLI. Every file
 * access goes through the host's {@link WorkspaceFiles}, which confines each path at the moment it is used.
 */
import type { WorkspaceFiles } from './workspaceFiles';

/** One directory entry; `note` says why a link is not followed. */
export interface DirEntry { name: string; kind: 'file' | 'dir' | 'other'; note?: string }

/** A text search hit. */
export interface SearchHit { path: string; line: number; text: string }

/** Diagnostics of one file. */
export interface Diagnostic { path: string; line: number; severity: 'error' | 'warning' | 'info'; message: string }

/**
 * An edit the agent proposes, as the user approves it and as it is applied: exactly `after` is written, and only while
 * the file still holds `before` (checked by `beforeHash`).
 */
export interface EditProposal {
  /** Path relative to the workspace root, '/'-separated, as shown to the user. */
  path: string;
  mode: 'replace' | 'whole' | 'create';
  /** The file's text the edit was computed from ('' for a new file). */
  before: string;
  /** The text that will be written. */
  after: string;
  /** sha256 (hex, see `textHash`) of `before`; null for a new file, which must still not exist. */
  beforeHash: string | null;
}

/** How a command ended. */
export interface CommandResult { exitCode: number | null; output: string; timedOut: boolean; cancelled: boolean }

/** Options of {@link ToolHost.runCommand}. */
export interface RunCommandOptions { cwd: string; timeoutMs: number; signal?: AbortSignal; onOutput?(chunk: string): void }

/** The environment the tools act on. */
export interface ToolHost {
  /** Absolute path of the workspace root. */
  readonly root: string;
  /** Every read, listing, search and write of the tools (confined at the moment of use). */
  readonly files: WorkspaceFiles;
  /** Diagnostics for one file (a real path from `files.resolve`), or the whole workspace when omitted (the Node host has none). */
  diagnostics(path?: string): Promise<Diagnostic[]>;
  /** Runs a shell command; kills its whole process group on timeout or abort. */
  runCommand(command: string, opts: RunCommandOptions): Promise<CommandResult>;
}

/** Tool categories, each with its own approval policy. */
export type ToolCategory = 'read' | 'edit' | 'command';

/** What the user is asked to approve. */
export interface ApprovalRequest {
  callId: string;
  tool: string;
  category: ToolCategory;
  summary: string;
  /** The command, or the unified diff of the edit. */
  detail: string;
  /** Why this call asks even though the policy says `auto` (a file that changes what runs: sensitiveFiles.ts). */
  reason?: string;
  /** The edit itself, for the approver (Open Diff shows exactly this); not part of what the view is sent. */
  edit?: EditProposal;
}

/**
 * The user's answer; a rejection may carry a comment that goes back to the model. An edit may be approved in part:
 * `hunks` numbers the hunks of its diff the user accepted (from 0, in the order the approval's diff shows them);
 * absent, the whole edit.
 */
export interface ApprovalDecision { decision: 'approved' | 'rejected'; comment?: string; hunks?: number[] }

/** Asks the user to approve a tool call (VS Code: buttons in the agent view). */
export interface Approver {
  approve(request: ApprovalRequest): Promise<ApprovalDecision>;
}

/** Per category: ask each time, or run without asking. */
export type ApprovalPolicy = Record<ToolCategory, 'ask' | 'auto'>;

/** Reads run without asking; edits and commands ask. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { read: 'auto', edit: 'ask', command: 'ask' };
