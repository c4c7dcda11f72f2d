/**
 * The tools offered to the model: a JSON schema for the model and a zod schema that validates the arguments it sends.
 */
import { z } from 'zod';
import type { ChatTool } from '../provider/provider';
import type { ToolCategory } from './host';

const path = z.string().min(1);

/** Argument schemas, one per tool. */
export const TOOL_ARGS = {
  read_file: z.object({ path, start_line: z.number().int().positive().optional(), end_line: z.number().int().positive().optional() }),
  list_dir: z.object({ path: z.string().optional() }),
  search_text: z.object({ query: z.string().min(1), glob: z.string().optional(), regex: z.boolean().optional(), path: z.string().optional() }),
  read_diagnostics: z.object({ path: z.string().optional() }),
  propose_edit: z.union([
    z.object({ path, search: z.string().min(1), replace: z.string() }),
    z.object({ path, content: z.string() }),
  ]),
  create_file: z.object({ path, content: z.string() }),
  run_command: z.object({ command: z.string().min(1), timeout_s: z.number().positive().max(3600).optional() }),
} as const;

/** Every tool name. */
export type ToolName = keyof typeof TOOL_ARGS;

/** Approval category of each tool. */
export const TOOL_CATEGORY: Record<ToolName, ToolCategory> = {
  read_file: 'read', list_dir: 'read', search_text: 'read', read_diagnostics: 'read',
  propose_edit: 'edit', create_file: 'edit', run_command: 'command',
};

/** Whether a name is one of ours. */
export function isToolName(name: string): name is ToolName {
  return Object.prototype.hasOwnProperty.call(TOOL_ARGS, name);
}

const str = (description: string) => ({ type: 'string', description });
const int = (description: string) => ({ type: 'integer', description });

const DESCRIPTIONS: Record<ToolName, { description: string; properties: Record<string, unknown>; required: string[] }> = {
  read_file: { description: 'Read a text file of the workspace, optionally only a line range (1-based, inclusive).', properties: { path: str('Path relative to the workspace root.'), start_line: int('First line to read.'), end_line: int('Last line to read.') }, required: ['path'] },
  list_dir: { description: 'List a directory of the workspace (default: the root).', properties: { path: str('Directory relative to the workspace root.') }, required: [] },
  search_text: { description: 'Search text in workspace files. Returns at most 50 matches as path:line: text.', properties: { query: str('Text (or regular expression when regex is true) to find.'), glob: str('Only files whose path matches this glob, e.g. "src/**/*.ts".'), regex: { type: 'boolean', description: 'Treat query as a JavaScript regular expression.' }, path: str('Folder to search in (default: the root).') }, required: ['query'] },
  read_diagnostics: { description: 'Read compiler/linter errors and warnings, for one file or the whole workspace.', properties: { path: str('File relative to the workspace root.') }, required: [] },
  propose_edit: { description: 'Propose an edit to an existing file; the user reviews it. Give either search (exact text that occurs once) and replace, or content (the whole new file).', properties: { path: str('File relative to the workspace root.'), search: str('Exact text to replace; must occur exactly once.'), replace: str('Replacement text.'), content: str('Whole new content of the file.') }, required: ['path'] },
  create_file: { description: 'Create a new file with the given content; the user reviews it.', properties: { path: str('New file relative to the workspace root.'), content: str('Content of the file.') }, required: ['path', 'content'] },
  run_command: { description: 'Run a shell command in the workspace root and return its exit code and output.', properties: { command: str('The shell command.'), timeout_s: int('Seconds before the command is killed (default 60).') }, required: ['command'] },
};

/** The tool list for the model. Restricted Mode (untrusted workspace) offers only the read tools. */
export function toolsForModel(trusted: boolean): ChatTool[] {
  return (Object.keys(DESCRIPTIONS) as ToolName[])
    .filter((name) => trusted || TOOL_CATEGORY[name] === 'read')
    .map((name) => ({
      type: 'function' as const,
      function: { name, description: DESCRIPTIONS[name].description, parameters: { type: 'object', properties: DESCRIPTIONS[name].properties, required: DESCRIPTIONS[name].required } },
    }));
}
