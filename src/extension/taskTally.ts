/**
 * The tally of one run for the end-of-task summary: files changed (with the text each had before the run, so the
 * summary can open its diff), commands with their exit codes, tokens in and out, time taken. Fed the session's
 * events; no `vscode` import, so it is unit-tested.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { TaskSummary } from '../core/protocol/webview';
import type { AgentEvent } from './core';

const EDIT_TOOLS = new Set(['propose_edit', 'create_file']);
/** Most files and commands listed (a runaway task must not make the end banner, or the message, huge). */
const MAX_LISTED = 50;

/** Counts one run. */
export class TaskTally {
  private readonly started: number;
  private tokensIn: number | null = null;
  private tokensOut: number | null = null;
  /** Text before the run by workspace-relative path (null: the file did not exist), in the order first touched. */
  private readonly before = new Map<string, string | null>();
  private readonly changed = new Set<string>();
  private readonly commands: TaskSummary['commands'] = [];
  /** Paths of the edit calls in flight, by call id. */
  private readonly editCalls = new Map<string, string>();

  /** `root`: the workspace folder the paths are confined to. */
  constructor(private readonly root: string, now = Date.now()) { this.started = now; }

  /** Takes one session event into account. */
  observe(e: AgentEvent): void {
    switch (e.type) {
      case 'turn_finished':
        if (e.result.usage) {
          this.tokensIn = (this.tokensIn ?? 0) + e.result.usage.promptTokens;
          this.tokensOut = (this.tokensOut ?? 0) + e.result.usage.completionTokens;
        }
        break;
      case 'tool_call_proposed': {
        if (!EDIT_TOOLS.has(e.name)) break;
        const path = this.confined(argString(e.arguments, 'path'));
        if (path === null) break;
        this.editCalls.set(e.callId, path);
        // Read now, synchronously: the call is executed right after this event, and may be applied without asking.
        if (!this.before.has(path) && this.before.size < MAX_LISTED) this.before.set(path, this.read(path));
        break;
      }
      case 'tool_result': {
        const o = e.observation;
        const path = this.editCalls.get(o.callId);
        if (path !== undefined && o.status === 'ok' && this.before.has(path)) this.changed.add(path);
        if (o.name === 'run_command' && this.commands.length < MAX_LISTED) {
          const command = typeof o.args === 'object' && o.args && typeof (o.args as { command?: unknown }).command === 'string' ? (o.args as { command: string }).command : String(o.args);
          const code = /^Exit code (-?\d+)\./.exec(o.output);
          if (o.status !== 'rejected' && o.status !== 'refused') this.commands.push({ command: command.slice(0, 500), exitCode: code ? Number(code[1]) : null, status: o.status });
        }
        break;
      }
      default: break;
    }
  }

  /** The summary at the end of the run. */
  summary(now = Date.now()): TaskSummary {
    return {
      durationMs: Math.max(0, Math.round(now - this.started)),
      tokensIn: this.tokensIn, tokensOut: this.tokensOut,
      files: [...this.changed].map((path) => ({ path, created: this.before.get(path) === null })),
      commands: [...this.commands],
    };
  }

  /** The text `path` had before the run, if the run changed it; undefined for any other path. */
  textBefore(path: string): string | null | undefined {
    return this.changed.has(path) ? this.before.get(path) : undefined;
  }

  /** The workspace-relative path the model named, or null when it leaves the workspace (symlinks resolved). */
  private confined(raw: string | undefined): string | null {
    if (!raw) return null;
    const abs = resolve(this.root, raw);
    const rel = relative(this.root, abs);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) return null;
    try {
      const real = realpathSync(abs);
      const realRoot = realpathSync(this.root);
      if (real !== realRoot && !real.startsWith(realRoot + sep)) return null;
    } catch { /* not there yet (a new file): its folder is checked when it is written */ }
    return rel.split(sep).join('/');
  }

  private read(path: string): string | null {
    try { return readFileSync(resolve(this.root, path), 'utf8'); } catch { return null; }
  }
}

function argString(raw: string, key: string): string | undefined {
  try {
    const v = (JSON.parse(raw) as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : undefined;
  } catch { return undefined; }
}
