/** The agent's system prompt, with the explicit knowledge slot the knowledge feature fills. */
import type { KnowledgeInContext } from '../knowledge/knowledgeContext';
import { KNOWLEDGE_SLOT } from '../trajectory/episode';

/** Default system prompt template; {@link KNOWLEDGE_SLOT} is replaced by the knowledge text (or nothing). */
export const DEFAULT_SYSTEM_TEMPLATE = `You are OEL Agent, a coding agent working inside the user's workspace in VS Code.
Use the tools to read, search, edit files and run commands; paths are relative to the workspace root.
Edits and commands may need the user's approval; when the user rejects one, read their comment and adapt.
Work step by step, verify your changes (for example by running the tests), and finish with a short summary of what you did.
When you relied on an item of learned knowledge below, cite its id in brackets in your final answer, e.g. [K-1a2b3c].
${KNOWLEDGE_SLOT}`;

/** Knowledge item ids as they appear in answers: K- followed by 4-12 lowercase letters or digits. */
export const CITATION_PATTERN = /\bK-[a-z0-9]{4,12}\b/g;

/** Fills the knowledge slot of `template`; an absent knowledge leaves it empty. */
export function buildSystemPrompt(template: string, knowledge: KnowledgeInContext | null): string {
  return template.split(KNOWLEDGE_SLOT).join(knowledge?.text ?? '').trimEnd();
}

/** Distinct knowledge ids cited in a text, in order of first appearance. */
export function citedIds(text: string): string[] {
  return [...new Set(text.match(CITATION_PATTERN) ?? [])];
}
