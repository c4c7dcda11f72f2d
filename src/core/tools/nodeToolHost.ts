/**
 * {@link ToolHost} on the plain filesystem and child_process: used by unit tests and usable by a CLI. Edits are
 * decided by a callback (default: accept) and applied by writing the file.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { CommandResult, Diagnostic, DirEntry, EditProposal, RunCommandOptions, SearchHit, ToolHost } from './host';

/** Options of {@link NodeToolHost}. */
export interface NodeToolHostOptions {
  /** Decides on proposed edits; default accepts everything. */
  review?: (proposal: EditProposal) => Promise<'accepted' | 'rejected'>;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'out', '.venv']);

function globToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\/?/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\u0000/g, '.*');
  return new RegExp(`(^|/)${re}$`);
}

/** Filesystem-backed tool host rooted at `root`. */
export class NodeToolHost implements ToolHost {
  constructor(readonly root: string, private readonly options: NodeToolHostOptions = {}) {}

  async readFile(path: string): Promise<Uint8Array> {
    return readFile(path);
  }

  async stat(path: string) {
    try {
      const st = await stat(path);
      return { size: st.size, isDirectory: st.isDirectory(), realPath: await realpath(path) };
    } catch {
      return null;
    }
  }

  async listDir(path: string): Promise<DirEntry[]> {
    const entries = await readdir(path, { withFileTypes: true });
    return entries
      .map((e) => ({ name: e.name, kind: e.isDirectory() ? ('dir' as const) : e.isFile() ? ('file' as const) : ('other' as const) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async searchText(q: { text: string; regex: boolean; glob?: string; path: string; maxResults: number }): Promise<SearchHit[]> {
    const matcher = q.regex ? new RegExp(q.text) : null;
    const glob = q.glob ? globToRegExp(q.glob) : null;
    const hits: SearchHit[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        if (hits.length >= q.maxResults) return;
        const full = join(dir, e.name);
        if (e.isDirectory()) { if (!SKIP_DIRS.has(e.name)) await walk(full); continue; }
        if (!e.isFile()) continue;
        const rel = relative(this.root, full);
        if (glob && !glob.test(rel)) continue;
        const buf = await readFile(full);
        if (buf.length > 1_000_000 || buf.subarray(0, 8000).includes(0)) continue;
        const lines = buf.toString('utf8').split('\n');
        for (let i = 0; i < lines.length && hits.length < q.maxResults; i++) {
          if (matcher ? matcher.test(lines[i]) : lines[i].includes(q.text)) hits.push({ path: rel, line: i + 1, text: lines[i].slice(0, 300) });
        }
      }
    };
    await walk(q.path);
    return hits;
  }

  async diagnostics(_path?: string): Promise<Diagnostic[]> {
    return [];
  }

  async reviewEdit(proposal: EditProposal): Promise<'accepted' | 'rejected'> {
    const decision = this.options.review ? await this.options.review(proposal) : 'accepted';
    if (decision === 'accepted') {
      await mkdir(dirname(proposal.path), { recursive: true });
      await writeFile(proposal.path, proposal.after);
    }
    return decision;
  }

  runCommand(command: string, opts: RunCommandOptions): Promise<CommandResult> {
    return new Promise((resolve) => {
      // detached: the command gets its own process group, so a kill reaches its children too.
      const child = spawn('/bin/sh', ['-c', command], { cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      let timedOut = false;
      let cancelled = false;
      const killGroup = () => { try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } };
      const onData = (b: Buffer) => { const s = b.toString('utf8'); output += s; opts.onOutput?.(s); };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const timer = setTimeout(() => { timedOut = true; killGroup(); }, opts.timeoutMs);
      const onAbort = () => { cancelled = true; killGroup(); };
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (exitCode: number | null) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        resolve({ exitCode: timedOut || cancelled ? null : exitCode, output, timedOut, cancelled });
      };
      child.on('error', (e) => { output += `\n${e.message}`; finish(null); });
      // 'exit' rather than 'close': a grandchild holding the pipes open must not keep us waiting after a kill.
      child.on('exit', (code) => setImmediate(() => finish(code)));
    });
  }
}
