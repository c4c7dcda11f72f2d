/**
 * {@link ToolHost} on the plain filesystem and child_process: used by unit tests, the CLI, and (through
 * VsCodeToolHost) the extension. Files go through {@link WorkspaceFiles}; commands run in their own process group with
 * an allow-listed environment and bounded output.
 */
import { spawn } from 'node:child_process';
import { commandEnvironment } from './commandEnv';
import type { CommandResult, Diagnostic, RunCommandOptions, ToolHost } from './host';
import { HeadTailBuffer } from './outputBuffer';
import { WorkspaceFiles, type WorkspaceFilesOptions } from './workspaceFiles';

/** Characters of a command's output streamed to the UI while it runs; the rest is summarized when it ends. */
export const MAX_STREAMED_OUTPUT_CHARS = 64_000;

/** Options of {@link NodeToolHost}. */
export interface NodeToolHostOptions extends WorkspaceFilesOptions {
  /** The environment commands start from, before the allow-list (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** Filesystem-backed tool host rooted at `root`. */
export class NodeToolHost implements ToolHost {
  readonly files: WorkspaceFiles;

  constructor(readonly root: string, private readonly options: NodeToolHostOptions = {}) {
    this.files = new WorkspaceFiles(root, options);
  }

  async diagnostics(_path?: string): Promise<Diagnostic[]> {
    return [];
  }

  /**
   * Runs `command` with `/bin/sh -c` in its own process group (POSIX: Linux, macOS), so a timeout or Stop kills
   * everything it started. Output is kept as head + tail (outputBuffer.ts) and streamed up to
   * {@link MAX_STREAMED_OUTPUT_CHARS}.
   */
  runCommand(command: string, opts: RunCommandOptions): Promise<CommandResult> {
    return new Promise((resolve) => {
      // detached: the command gets its own process group, so a kill reaches its children too.
      const child = spawn('/bin/sh', ['-c', command], { cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: commandEnvironment(this.options.env ?? process.env) });
      const output = new HeadTailBuffer();
      let streamed = 0;
      let timedOut = false;
      let cancelled = false;
      const killGroup = () => { try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } };
      const onData = (s: string) => {
        output.push(s);
        if (streamed >= MAX_STREAMED_OUTPUT_CHARS) return;
        const part = s.slice(0, MAX_STREAMED_OUTPUT_CHARS - streamed);
        streamed += part.length;
        opts.onOutput?.(streamed >= MAX_STREAMED_OUTPUT_CHARS ? `${part}\n[... more output; the end of it is shown when the command finishes ...]\n` : part);
      };
      // setEncoding decodes across chunk boundaries, so a multi-byte character split between two reads stays whole.
      child.stdout.setEncoding('utf8').on('data', onData);
      child.stderr.setEncoding('utf8').on('data', onData);
      const timer = setTimeout(() => { timedOut = true; killGroup(); }, opts.timeoutMs);
      const onAbort = () => { cancelled = true; killGroup(); };
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (exitCode: number | null) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        resolve({ exitCode: timedOut || cancelled ? null : exitCode, output: output.text(), timedOut, cancelled });
      };
      child.on('error', (e) => { output.push(`\n${e.message}`); finish(null); });
      // 'exit' rather than 'close': a grandchild holding the pipes open must not keep us waiting after a kill.
      child.on('exit', (code) => setImmediate(() => finish(code)));
    });
  }
}
