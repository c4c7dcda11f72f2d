/** The read-only tools: read_file, list_dir, search_text, read_diagnostics. */
import { SearchTimeoutError } from './textSearch';
import type { ToolHost } from './host';
import type { TOOL_ARGS } from './definitions';
import type { z } from 'zod';

/** Files larger than this are not read whole; the model is told to ask for a line range. */
export const MAX_READ_BYTES = 512 * 1024;
/** Most search hits returned. */
export const MAX_SEARCH_RESULTS = 50;

/** A tool's answer before truncation: the status and the text for the model. */
export interface ToolOutcome { status: 'ok' | 'error' | 'refused' | 'rejected' | 'cancelled' | 'timeout'; output: string }

/** True when the bytes look binary (a NUL byte in the first 8 KB). */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

/** read_file */
export async function readFileTool(host: ToolHost, a: z.infer<typeof TOOL_ARGS.read_file>): Promise<ToolOutcome> {
  const p = await host.files.resolve(a.path);
  if (!p.kind) return { status: 'error', output: `File not found: ${p.relative}. Use list_dir or search_text to find the right path.` };
  if (p.kind === 'dir') return { status: 'error', output: `${p.relative} is a directory; use list_dir.` };
  if (p.kind !== 'file') return { status: 'error', output: `${p.relative} is not a regular file.` };
  const ranged = a.start_line !== undefined || a.end_line !== undefined;
  if (p.size > MAX_READ_BYTES && !ranged) {
    return { status: 'error', output: `${p.relative} is ${p.size} bytes, over the ${MAX_READ_BYTES}-byte limit. Read it in parts with start_line/end_line, or use search_text.` };
  }
  // Confined again at the read itself: the path may have changed since it was resolved above.
  const { bytes } = await host.files.readFile(a.path);
  if (looksBinary(bytes)) return { status: 'error', output: `${p.relative} is a binary file (${bytes.length} bytes); it cannot be read as text.` };
  const lines = Buffer.from(bytes).toString('utf8').split('\n');
  const start = Math.max(1, a.start_line ?? 1);
  const end = Math.min(lines.length, a.end_line ?? lines.length);
  if (start > lines.length) return { status: 'error', output: `${p.relative} has only ${lines.length} lines.` };
  const body = lines.slice(start - 1, end).join('\n');
  return { status: 'ok', output: ranged ? `${p.relative} lines ${start}-${end} of ${lines.length}:\n${body}` : body };
}

/** list_dir */
export async function listDirTool(host: ToolHost, a: z.infer<typeof TOOL_ARGS.list_dir>): Promise<ToolOutcome> {
  const p = await host.files.resolve(a.path ?? '.');
  if (!p.kind) return { status: 'error', output: `Directory not found: ${p.relative}.` };
  if (p.kind !== 'dir') return { status: 'error', output: `${p.relative} is a file; use read_file.` };
  const { entries } = await host.files.listDir(a.path ?? '.');
  return { status: 'ok', output: entries.map((e) => `${e.kind === 'dir' ? `${e.name}/` : e.name}${e.note ? `  (${e.note})` : ''}`).join('\n') || '(empty directory)' };
}

/** search_text */
export async function searchTextTool(host: ToolHost, a: z.infer<typeof TOOL_ARGS.search_text>): Promise<ToolOutcome> {
  if (a.regex) {
    try { new RegExp(a.query); } catch (e) { return { status: 'error', output: `Invalid regular expression: ${(e as Error).message}` }; }
  }
  let hits;
  try {
    hits = await host.files.search(a.path ?? '.', { text: a.query, regex: a.regex ?? false, glob: a.glob, maxResults: MAX_SEARCH_RESULTS + 1 });
  } catch (e) {
    if (e instanceof SearchTimeoutError) return { status: 'timeout', output: e.message };
    throw e;
  }
  if (!hits.length) return { status: 'ok', output: 'No matches.' };
  const shown = hits.slice(0, MAX_SEARCH_RESULTS).map((h) => `${h.path}:${h.line}: ${h.text}`).join('\n');
  return { status: 'ok', output: hits.length > MAX_SEARCH_RESULTS ? `${shown}\n[more than ${MAX_SEARCH_RESULTS} matches; narrow the query or the glob]` : shown };
}

/** read_diagnostics */
export async function readDiagnosticsTool(host: ToolHost, a: z.infer<typeof TOOL_ARGS.read_diagnostics>): Promise<ToolOutcome> {
  const p = a.path ? await host.files.resolve(a.path) : undefined;
  const diags = await host.diagnostics(p?.real);
  if (!diags.length) return { status: 'ok', output: 'No diagnostics.' };
  return { status: 'ok', output: diags.map((d) => `${d.path}:${d.line}: ${d.severity}: ${d.message}`).join('\n') };
}
