/**
 * Compacts an episode to a token budget for the extraction prompt. Decisions and outcome signals are kept (request,
 * model text and tool calls, errors, edits accepted/rejected, exit codes, diagnostics, feedback, end reason); bulky
 * observations shrink first, then middle steps are dropped, essential signals last.
 */
import type { Episode, Step } from '../trajectory/episode';
import { truncateMiddle } from '../util/truncate';
import { approxTokens } from './selection';

type Level = 0 | 1 | 2;
const OBS = [1500, 200, 0];
const TEXT = [1500, 400, 160];
const ARGS = [400, 160, 80];

function cut(text: string, max: number): string {
  if (max <= 0) return '';
  return truncateMiddle(text.replace(/\s+$/g, ''), max).text;
}

function obs(text: string, level: Level): string {
  const t = cut(text, OBS[level]);
  return t ? `\n${t.split('\n').map((l) => `    ${l}`).join('\n')}` : '';
}

/** Renders one step as a line (or a few), more tersely at higher levels. */
export function renderStep(s: Step, i: number, level: Level): string {
  const p = `[${i}] `;
  switch (s.kind) {
    case 'user':
      return `${p}USER: ${cut(s.text, level === 2 ? 1500 : 4000)}`;
    case 'model': {
      const calls = s.toolCalls.map((c) => `${c.name}(${cut(c.arguments, ARGS[level])})`).join('; ');
      const reasoning = s.reasoning && level === 0 ? `\n    (reasoning) ${cut(s.reasoning, 600)}` : '';
      return `${p}MODEL: ${cut(s.text, TEXT[level]) || '(no text)'}${calls ? ` | calls: ${calls}` : ''}${reasoning}`;
    }
    case 'tool':
      return `${p}TOOL ${s.name} -> ${s.status} (${s.originalSize} chars)${obs(s.output, level)}`;
    case 'approval':
      return `${p}APPROVAL ${s.tool} (${s.category}): ${s.decision}${s.comment ? ` — "${cut(s.comment, 300)}"` : ''}`;
    case 'edit':
      return `${p}EDIT ${s.path} (${s.mode}): ${s.accepted ? 'accepted' : 'REJECTED'}${obs(s.diff, level)}`;
    case 'edit_check':
      return `${p}EDIT CHECK ${s.path}: ${s.stillStands ? 'still stands' : 'reverted later'}`;
    case 'restore':
      return `${p}USER RESTORED ${s.paths.join(', ')} to ${s.toCallId ? 'before a step' : 'the start of the task'} (the agent's changes there were undone)`;
    case 'command':
      return `${p}COMMAND \`${cut(s.command, 300)}\` -> exit ${s.exitCode ?? 'none'}${s.timedOut ? ' (timed out)' : ''}${s.cancelled ? ' (cancelled)' : ''}`;
    case 'diagnostics':
      return `${p}DIAGNOSTICS ${s.phase}: ${s.errors} errors, ${s.warnings} warnings`;
    case 'feedback':
      return `${p}FEEDBACK: ${s.rating === 'up' ? 'thumbs up' : 'thumbs down'}${s.comment ? ` — "${cut(s.comment, 500)}"` : ''}`;
    case 'error':
      return `${p}ERROR (${s.source}): ${cut(s.message, 400)}`;
    case 'citation':
      return `${p}CITED: ${s.itemIds.join(', ')}`;
    case 'end':
      return `${p}END: ${s.reason}${s.message ? ` — ${cut(s.message, 300)}` : ''}`;
  }
}

const ESSENTIAL = new Set<Step['kind']>(['user', 'feedback', 'end', 'error', 'edit', 'command', 'diagnostics', 'citation', 'edit_check', 'restore']);
const CORE = new Set<Step['kind']>(['user', 'feedback', 'end']);

/** Result of {@link compactEpisode}. */
export interface CompactedEpisode { text: string; tokens: number; omittedSteps: number }

/** Renders the episode within `budgetTokens`, shrinking observations first and then dropping middle steps. */
export function compactEpisode(ep: Episode, budgetTokens: number): CompactedEpisode {
  const head = `TASK: ${ep.title}\nOUTCOME: ${ep.endReason ?? 'unfinished'}`;
  const render = (keep: (i: number) => boolean, level: Level): { text: string; omitted: number } => {
    const out = [head];
    let gap = 0;
    let omitted = 0;
    ep.steps.forEach((s, i) => {
      if (!keep(i)) {
        gap++;
        omitted++;
        return;
      }
      if (gap) out.push(`[... ${gap} steps omitted ...]`);
      gap = 0;
      out.push(renderStep(s, i, level));
    });
    if (gap) out.push(`[... ${gap} steps omitted ...]`);
    return { text: out.join('\n'), omitted };
  };
  const n = ep.steps.length;
  const attempts: [(i: number) => boolean, Level][] = [
    [() => true, 0],
    [() => true, 1],
    [() => true, 2],
  ];
  let last = { text: head, omitted: n };
  for (const [keep, level] of attempts) {
    last = render(keep, level);
    const tokens = approxTokens(last.text);
    if (tokens <= budgetTokens) return { text: last.text, tokens, omittedSteps: last.omitted };
  }
  // Drop middle steps: keep the first and last k steps plus the essential signals, with the largest k that fits
  // (binary search); then the same with only the core signals (request, feedback, end).
  for (const keepSet of [ESSENTIAL, CORE]) {
    let lo = 0;
    let hi = Math.ceil(n / 2);
    let best: { text: string; omitted: number; tokens: number } | null = null;
    while (lo <= hi) {
      const k = (lo + hi) >> 1;
      const r = render((i) => i < k || i >= n - k || keepSet.has(ep.steps[i].kind), 2);
      const tokens = approxTokens(r.text);
      if (tokens <= budgetTokens) {
        best = { ...r, tokens };
        lo = k + 1;
      } else hi = k - 1;
    }
    if (best) return { text: best.text, tokens: best.tokens, omittedSteps: best.omitted };
    last = render((i) => keepSet.has(ep.steps[i].kind), 2);
  }
  // Still too long (huge user messages): cut the middle of the text by characters until it fits.
  let text = last.text;
  let chars = Math.max(200, budgetTokens * 3);
  for (;;) {
    text = truncateMiddle(last.text, chars).text;
    const tokens = approxTokens(text);
    if (tokens <= budgetTokens || chars <= 200) return { text, tokens, omittedSteps: last.omitted };
    chars = Math.floor(chars * 0.8);
  }
}
