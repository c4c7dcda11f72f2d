/**
 * search_text's engine. The folder walk runs on the calling thread with async file system calls (it never blocks);
 * the matching runs in a worker thread, because a regular expression the model sends, possibly steered by text in the
 * repository, can backtrack catastrophically, and on the extension host that would freeze VS Code. The worker is
 * terminated at the deadline and the model gets a {@link SearchTimeoutError}.
 *
 * The walk does not follow symbolic links at all (like ripgrep by default): a link can lead out of the workspace, or
 * in a loop, and a link inside it names files the walk reaches anyway.
 */
import { Worker } from 'node:worker_threads';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SearchHit } from './host';
import { OPEN_NO_FOLLOW } from './workspacePaths';
import { SEARCH_WORKER_SOURCE } from './searchWorkerSource';

/** Folders the search skips: version control, dependencies and build output. */
export const SEARCH_SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'out', '.venv']);
/** Files larger than this are not searched. */
export const MAX_SEARCH_FILE_BYTES = 1_000_000;
/** Most files one search looks at. */
export const MAX_SEARCH_FILES = 50_000;
/** Default time limit of one search (walk and matching). */
export const DEFAULT_SEARCH_TIMEOUT_MS = 10_000;
/** Memory the worker may use: a search must not take the extension host's memory with it. */
const WORKER_HEAP_MB = 256;

/** The search ran past its time limit and was stopped; the message is for the model. */
export class SearchTimeoutError extends Error {}

/** One search. `glob` matches paths relative to the workspace root. */
export interface SearchQuery { text: string; regex: boolean; glob?: string; maxResults: number }

/** Turns a glob (`*`, `**`, `?`) into a regular expression over '/'-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\/?/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\u0000/g, '.*');
  return new RegExp(`(^|/)${re}$`);
}

interface FileRef { real: string; relative: string }

const timeoutError = (ms: number) => new SearchTimeoutError(
  `The search did not finish within ${ms / 1000} s and was stopped. A regular expression with nested or overlapping repetition (like (a+)+ or (.*)*) can take exponential time on some lines: simplify the pattern, search for plain text, or narrow the search with path or glob.`,
);

/** Files under the real folder `realDir` (shown as `shownDir`), links not followed, skipped folders left out. */
async function listFiles(realDir: string, shownDir: string, glob: RegExp | null, deadline: number, timeoutMs: number): Promise<FileRef[]> {
  const out: FileRef[] = [];
  const walk = async (dir: string, shown: string): Promise<void> => {
    if (Date.now() > deadline) throw timeoutError(timeoutMs);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: search the rest
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (out.length >= MAX_SEARCH_FILES) return;
      const rel = shown === '.' ? e.name : `${shown}/${e.name}`;
      // Dirent types come from the directory itself (lstat semantics): a link is a link here, never its target.
      if (e.isDirectory()) {
        if (!SEARCH_SKIP_DIRS.has(e.name)) await walk(join(dir, e.name), rel);
      } else if (e.isFile() && (!glob || glob.test(rel))) {
        out.push({ real: join(dir, e.name), relative: rel });
      }
    }
  };
  await walk(realDir, shownDir);
  return out;
}

function matchInWorker(files: FileRef[], q: SearchQuery, remainingMs: number, timeoutMs: number): Promise<SearchHit[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SEARCH_WORKER_SOURCE, {
      eval: true,
      workerData: { files, text: q.text, regex: q.regex, maxResults: q.maxResults, maxBytes: MAX_SEARCH_FILE_BYTES, openFlags: OPEN_NO_FOLLOW },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      stdout: true,
      stderr: true,
    });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => settle(() => { void worker.terminate(); reject(timeoutError(timeoutMs)); }), Math.max(0, remainingMs));
    worker.once('message', (hits: SearchHit[]) => settle(() => { resolve(hits); void worker.terminate(); }));
    worker.once('error', (e) => settle(() => reject(e)));
    worker.once('exit', (exitCode) => settle(() => reject(new Error(`the search worker stopped unexpectedly (exit code ${exitCode})`))));
  });
}

/**
 * Searches the text files under the real folder `realDir` (shown to the model as `shownDir`) within `timeoutMs`.
 * Throws {@link SearchTimeoutError} when the walk or the matching takes longer.
 */
export async function searchText(realDir: string, shownDir: string, q: SearchQuery, timeoutMs = DEFAULT_SEARCH_TIMEOUT_MS): Promise<SearchHit[]> {
  const deadline = Date.now() + timeoutMs;
  const files = await listFiles(realDir, shownDir, q.glob ? globToRegExp(q.glob) : null, deadline, timeoutMs);
  if (!files.length) return [];
  return matchInWorker(files, q, deadline - Date.now(), timeoutMs);
}
