/**
 * The knowledge provider of the agent loop: reads the workspace file (`.oel/knowledge.md`) and the user's file on
 * every task and returns the knowledge slot ({@link knowledgeForPrompt}). Whether the workspace may contribute and
 * which flagged items a person reviewed are asked at that moment too, never remembered from earlier.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KnowledgeInContext, KnowledgeProvider } from './knowledgeContext';
import { NO_REVIEWS, type ReviewLookup } from './review';
import { DEFAULT_KNOWLEDGE_BUDGET, knowledgeForPrompt } from './selection';

/** Path of the workspace knowledge file relative to the workspace root. */
export const WORKSPACE_KNOWLEDGE_PATH = join('.oel', 'knowledge.md');

/** Options of {@link FileKnowledgeProvider}. */
export interface FileKnowledgeProviderOptions {
  /** Workspace root folder; its file is `<root>/.oel/knowledge.md`. Null when no folder is open. */
  workspaceRoot: string | null;
  /**
   * Asked each time a prompt is built: false (VS Code's Restricted Mode) keeps every workspace item out of the
   * prompt. A function, not a value, so trust granted or withdrawn after start-up counts from the next task on.
   */
  workspaceTrusted: () => boolean;
  /** The user's own knowledge file, or null for none. */
  userFile: string | null;
  budgetTokens?: number;
  /** Reviews of flagged items, read each time a prompt is built; without it every flagged item stays out. */
  reviews?: () => Promise<ReviewLookup>;
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

  /** Selects knowledge for a task (the request is passed on; selection does not depend on it yet). */
  async forTask(request: string): Promise<KnowledgeInContext | null> {
    const trusted = this.opts.workspaceTrusted();
    const wsPath = trusted && this.opts.workspaceRoot ? join(this.opts.workspaceRoot, WORKSPACE_KNOWLEDGE_PATH) : null;
    const [ws, user, reviews] = await Promise.all([readText(wsPath), readText(this.opts.userFile), this.opts.reviews?.() ?? NO_REVIEWS]);
    return knowledgeForPrompt({ texts: wsPath ? [ws, user] : [user], request, budgetTokens: this.opts.budgetTokens ?? DEFAULT_KNOWLEDGE_BUDGET, reviews });
  }
}
