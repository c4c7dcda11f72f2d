/** Renders a stored episode as readable Markdown for the read-only `oel-task:` document (pure). */
import type { Episode, Step } from './core';
import { adapterServerLabel, adapterVersionLabel } from './runtime/adapterModel';

const REASON: Record<string, string> = { completed: 'completed', stopped: 'stopped by you', max_steps: 'max steps reached', error: 'error' };

function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text}\n${f}`;
}

function quote(text: string): string {
  return text.split('\n').map((l) => `> ${l}`).join('\n');
}

/** The items of a knowledge slot with why each was chosen, e.g. `K-ab12cd (names src/a.ts)`, when recorded. */
function knowledgeList(k: NonNullable<Episode['systemPrompt']['knowledge']>): string {
  const why = new Map((k.chosen ?? []).map((c) => [c.id, c.why]));
  return k.itemIds.map((id) => (why.get(id) ? `${id} (${why.get(id)})` : id)).join(', ');
}

function step(s: Step): string {
  switch (s.kind) {
    case 'user': {
      if (s.knowledge === undefined) return `## User\n\n${s.text}`;
      const k = s.knowledge ? `- Knowledge in context from here: ${knowledgeList(s.knowledge)}` : '- Knowledge in context from here: none';
      return `## User\n\n${s.text}\n\n${k}`;
    }
    case 'model': {
      const parts = [`### Assistant (turn ${s.turn + 1})`];
      if (s.text) parts.push(s.text);
      for (const c of s.toolCalls) parts.push(`Calls \`${c.name}\`:`, fence(c.arguments, 'json'));
      return parts.join('\n\n');
    }
    case 'tool': return `#### Tool \`${s.name}\` — ${s.status} (${Math.round(s.durationMs)} ms)\n\n${fence(s.output)}`;
    case 'approval': return `- Approval of \`${s.tool}\` (${s.category}): **${s.decision}**${s.comment ? ` — ${s.comment}` : ''}`;
    case 'edit': return `#### Edit \`${s.path}\` (${s.mode}, ${s.accepted ? 'accepted' : 'rejected'})\n\n${fence(s.diff, 'diff')}`;
    case 'feedback': return `## Feedback: ${s.rating === 'up' ? 'helpful' : 'not helpful'}${s.comment ? `\n\n${quote(s.comment)}` : ''}`;
    case 'error': return `> **Error (${s.source}):** ${s.message}`;
    case 'end': return `---\n\n**Task ended: ${REASON[s.reason] ?? s.reason}**${s.message ? ` — ${s.message}` : ''}`;
    case 'diagnostics': return `- Diagnostics ${s.phase}: ${s.errors} errors, ${s.warnings} warnings`;
    case 'citation': return `- Cited knowledge: ${s.itemIds.join(', ')}`;
    default: return `- ${s.kind}`;
  }
}

/** The whole episode as Markdown, with the 0-based line where each step's block starts (for "Show Source"). */
export function episodeMarkdownWithLines(e: Episode): { text: string; stepLines: number[] } {
  const head = [
    `# ${e.title || '(untitled task)'}`,
    '',
    `- Started: ${e.startedAt}`,
    `- Outcome: ${e.endReason ? REASON[e.endReason] : 'unfinished'}`,
    `- Model: \`${e.provider.model}\` at ${e.provider.baseUrl}`,
    e.adapter ? `- Team adapter: ${adapterVersionLabel(e.adapter.version)}${adapterServerLabel(e.adapter.version) ? ` from \`${adapterServerLabel(e.adapter.version)}\`` : ''}${e.adapter.tokensSaved !== undefined ? ` (saved ${e.adapter.tokensSaved} prompt tokens)` : ''}` : '',
    `- Workspace: ${e.workspace}${e.trusted ? '' : ' (Restricted Mode)'}`,
    e.systemPrompt.knowledge ? `- Knowledge items in context: ${knowledgeList(e.systemPrompt.knowledge)} (version ${e.systemPrompt.knowledge.version})` : '',
    '',
  ].filter((l, i, all) => l !== '' || i === 1 || i === all.length - 1);
  const stepLines: number[] = [];
  let line = head.length;
  const blocks = e.steps.map((s, i) => {
    if (i > 0) line += 1; // the blank line between blocks
    stepLines.push(line);
    const b = step(s);
    line += b.split('\n').length;
    return b;
  });
  return { text: `${head.join('\n')}\n${blocks.join('\n\n')}\n`, stepLines };
}

/** The whole episode as Markdown. */
export function episodeMarkdown(e: Episode): string {
  return episodeMarkdownWithLines(e).text;
}
