/**
 * The interfaces the tools use for everything environment-specific. VS Code implements them in src/extension;
 * {@link NodeToolHost} (nodeToolHost.ts) implements them on the plain filesystem for tests and the CLI.
 * Paths handed to a host are absolute and already confined to the workspace by the tools.
 */

/** One directory entry. */
export interface DirEntry { name: string; kind: 'file' | 'dir' | 'other' }

/** A text search hit. */
export interface SearchHit { path: string; line: number; text: string }

/** Diagnostics of one file. */
export interface Diagnostic { path: string; line: number; severity: 'error' | 'warning' | 'info'; message: string }

/** An edit the agent proposes; the host shows it (VS Code: a diff) and the user accepts or rejects it. */
export interface EditProposal {
  callId: string;
  /** Absolute path. */
  path: string;
  /** Path relative to the workspace root, for display. */
  relativePath: string;
  mode: 'replace' | 'whole' | 'create';
  /** Content before (empty for a new file) and after the edit. */
  before: string;
  after: string;
  /** Unified diff of before -> after. */
  diff: string;
}

/** How a command ended. */
export interface CommandResult { exitCode: number | null; output: string; timedOut: boolean; cancelled: boolean }

/** Options of {@link ToolHost.runCommand}. */
export interface RunCommandOptions { cwd: string; timeoutMs: number; signal?: AbortSignal; onOutput?(chunk: string): void }

/** The environment the tools act on. */
export interface ToolHost {
  /** Absolute path of the workspace root. */
  readonly root: string;
  /** Reads raw bytes; the tools decide about size and binary content. */
  readFile(path: string): Promise<Uint8Array>;
  /** Size in bytes, or null when the path does not exist. `realPath` resolves symlinks (for confinement). */
  stat(path: string): Promise<{ size: number; isDirectory: boolean; realPath: string } | null>;
  listDir(path: string): Promise<DirEntry[]>;
  /** Searches text files under `path`; stops after `maxResults`. */
  searchText(query: { text: string; regex: boolean; glob?: string; path: string; maxResults: number }): Promise<SearchHit[]>;
  /** Diagnostics for one file, or the whole workspace when `path` is omitted (the Node host has none). */
  diagnostics(path?: string): Promise<Diagnostic[]>;
  /** Shows the edit to the user; when accepted the host applies it. */
  reviewEdit(proposal: EditProposal): Promise<'accepted' | 'rejected'>;
  /** Runs a shell command; kills its whole process group on timeout or abort. */
  runCommand(command: string, opts: RunCommandOptions): Promise<CommandResult>;
}

/** Tool categories, each with its own approval policy. */
export type ToolCategory = 'read' | 'edit' | 'command';

/** What the user is asked to approve. */
export interface ApprovalRequest { callId: string; tool: string; category: ToolCategory; summary: string; detail: string }

/** The user's answer; a rejection may carry a comment that goes back to the model. */
export interface ApprovalDecision { decision: 'approved' | 'rejected'; comment?: string }

/** Asks the user to approve a tool call (VS Code: buttons in the agent view). */
export interface Approver {
  approve(request: ApprovalRequest): Promise<ApprovalDecision>;
}

/** Per category: ask each time, or run without asking. */
export type ApprovalPolicy = Record<ToolCategory, 'ask' | 'auto'>;

/** Reads run without asking; edits and commands ask. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { read: 'auto', edit: 'ask', command: 'ask' };
