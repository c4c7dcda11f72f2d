/**
 * The knowledge provider of the agent loop: reads the workspace file (`.oel/knowledge.md`) and the user's file on
 * every task and follow-up message and returns the knowledge slot ({@link knowledgeForPrompt}), chosen for the
 * message and the files in play, by embeddings when they are configured and work, lexically otherwise. Whether the
 * workspace may contribute and which flagged items a person reviewed are asked at that moment too, never remembered
 * from earlier.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Embedder } from './dedup';
import type { EmbeddingCache } from './embeddingCache';
import type { KnowledgeInContext, KnowledgeProvider, KnowledgeRequestContext } from './knowledgeContext';
import { embeddingRelevance, filesInPlay, type RelevanceResult } from './relevance';
import { NO_REVIEWS, type ReviewLookup } from './review';
import { DEFAULT_KNOWLEDGE_BUDGET, isEligible, knowledgeForPrompt, knowledgeItems } from './selection';

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
  /** Workspace-relative paths of the files open in the editor, asked each time a prompt is built. */
  openFiles?: () => string[];
  /**
   * Embeddings to rank by, asked each time a prompt is built (the setting may change): null or absent ranks
   * lexically. When they fail, the slot is ranked lexically and the failure logged.
   */
  embeddings?: () => { embed: Embedder; cache?: EmbeddingCache } | null;
  log?: (line: string) => void;
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

  /** Selects knowledge for a task's request, or for a follow-up message given the slot so far (`context.previous`). */
  async forTask(request: string, context: KnowledgeRequestContext = {}): Promise<KnowledgeInContext | null> {
    const trusted = this.opts.workspaceTrusted();
    const wsPath = trusted && this.opts.workspaceRoot ? join(this.opts.workspaceRoot, WORKSPACE_KNOWLEDGE_PATH) : null;
    const [ws, user, reviews] = await Promise.all([readText(wsPath), readText(this.opts.userFile), this.opts.reviews?.() ?? NO_REVIEWS]);
    const texts = wsPath ? [ws, user] : [user];
    const items = knowledgeItems(texts);
    const openFiles = this.opts.openFiles?.() ?? [];
    let relevance: RelevanceResult | undefined;
    const embeddings = request.trim() ? this.opts.embeddings?.() : null;
    if (embeddings) {
      try {
        // Only eligible items are sent to the embeddings endpoint: a flagged item waiting for review goes nowhere.
        relevance = await embeddingRelevance(items.filter((i) => isEligible(i, reviews)), { request, files: filesInPlay(request, openFiles) }, embeddings.embed, embeddings.cache);
      } catch (e) {
        this.opts.log?.(`knowledge: embeddings failed (${(e as Error).message}); ranking by words instead`);
      }
    }
    return knowledgeForPrompt({
      texts, items, request, openFiles, budgetTokens: this.opts.budgetTokens ?? DEFAULT_KNOWLEDGE_BUDGET, reviews, relevance, previous: context.previous,
    });
  }
}
