/**
 * The knowledge provider of the agent loop: reads the workspace file (`.oel/knowledge.md`) and the user's file on
 * every task, selects items within the budget and returns the knowledge-in-context record.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { liveItems, parseKnowledge } from './format';
import type { KnowledgeInContext, KnowledgeProvider } from './knowledgeContext';
import { DEFAULT_KNOWLEDGE_BUDGET, buildKnowledgeInContext, contentHash, selectForPrompt } from './selection';

/** Path of the workspace knowledge file relative to the workspace root. */
export const WORKSPACE_KNOWLEDGE_PATH = join('.oel', 'knowledge.md');

/** Options of {@link FileKnowledgeProvider}. */
export interface FileKnowledgeProviderOptions {
  /** Workspace root folder; its file is `<root>/.oel/knowledge.md`. Null when no folder is open. */
  workspaceRoot: string | null;
  /** The user's own knowledge file, or null for none. */
  userFile: string | null;
  budgetTokens?: number;
}

async function readText(path: string | null): Promise<string> {
  if (!path) return '';
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

/** A {@link KnowledgeProvider} over the workspace file plus the user file (workspace items first on ties). */
export class FileKnowledgeProvider implements KnowledgeProvider {
  constructor(private readonly opts: FileKnowledgeProviderOptions) {}

  /** Selects knowledge for a task. The request is not used yet (selection is global, not per request). */
  async forTask(_request: string): Promise<KnowledgeInContext | null> {
    const wsPath = this.opts.workspaceRoot ? join(this.opts.workspaceRoot, WORKSPACE_KNOWLEDGE_PATH) : null;
    const [ws, user] = await Promise.all([readText(wsPath), readText(this.opts.userFile)]);
    const seen = new Set<string>();
    const items = [...liveItems(parseKnowledge(ws).doc), ...liveItems(parseKnowledge(user).doc)].filter((i) => !seen.has(i.id) && seen.add(i.id));
    const { selected } = selectForPrompt(items, this.opts.budgetTokens ?? DEFAULT_KNOWLEDGE_BUDGET);
    return buildKnowledgeInContext(selected, contentHash([ws, user]));
  }
}
