/**
 * The knowledge feature in VS Code: the two knowledge files, the Knowledge view, review commands, CodeLens and
 * diagnostics in the file, and learning after each task. `registerKnowledge` also fills the agent's knowledge slot.
 */
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { Config } from '../config';
import { KnowledgeFiles } from './knowledgeFiles';
import { registerKnowledgeCommands } from './knowledgeCommands';
import { registerKnowledgeEditor } from './knowledgeEditor';
import { registerKnowledgeTree } from './knowledgeTree';
import { LearningScheduler, type LearnSummary } from './learning';

/**
 * Registers the knowledge feature and sets `ctx.knowledge`. The files are read after activation, not during it.
 * Returns the files, for the team's consent and sending (src/extension/team/), which write through them.
 */
export function registerKnowledge(ctx: OelContext): KnowledgeFiles {
  const files = ctx.own(new KnowledgeFiles(ctx));
  const learning = ctx.own(new LearningScheduler(ctx, files));
  ctx.knowledge = files.provider();
  registerKnowledgeTree(ctx, files);
  registerKnowledgeEditor(ctx, files);
  registerKnowledgeCommands(ctx, files);

  ctx.command('oel.knowledge.learnFromTask', async (arg?: unknown) => {
    if (!ctx.trusted) throw new Error('the agent does not learn in Restricted Mode. Trust the workspace first.');
    const store = await ctx.store();
    const rows = [...(await store.list())].filter((r) => r.endReason).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    const argId = typeof arg === 'string' ? arg : (arg as { summary?: { id?: string } } | undefined)?.summary?.id;
    const id = argId ?? (await vscode.window.showQuickPick(rows.map((r) => ({ label: r.title || '(untitled task)', description: `${r.startedAt.slice(0, 16).replace('T', ' ')} · ${r.endReason}`, id: r.id })), { placeHolder: 'Learn from which task?' }))?.id;
    if (!id) return;
    const r = await learning.learnNow(id);
    report(r);
  });

  const report = (r: LearnSummary): void => {
    if (r.errors.length) {
      void vscode.window.showWarningMessage(`OEL Agent: ${r.errors[0]}`, 'Show Log').then((a) => a && ctx.log.show());
      return;
    }
    // Learning on the local model gives way to a task: say it waits, rather than "nothing new was learned".
    const msg = r.waiting && !r.added ? 'a task is running on the local model; learning from this task resumes when that task ends.'
      : r.skipped && !r.added ? 'the daily extraction token budget is spent; nothing was learned (see oel.knowledge.dailyTokenBudget).'
      : r.added ? `learned ${r.added} new item${r.added === 1 ? '' : 's'}${r.pending ? `, ${r.pending} pending review` : ''}.`
        : `nothing new was learned${r.duplicates ? ` (${r.duplicates} proposal${r.duplicates === 1 ? ' repeats' : 's repeat'} known or pruned knowledge)` : ''}.`;
    void vscode.window.showInformationMessage(`OEL Agent: ${msg}`, ...(r.pending ? ['Review'] : [])).then((a) => a && vscode.commands.executeCommand('oel.knowledgeView.focus'));
  };

  ctx.own(vscode.workspace.onDidChangeConfiguration((e) => {
    if (Config.affects(e, 'knowledge.promptBudgetTokens')) void files.afterWrite();
  }));
  // Read the files once the window is up; activation itself stays cheap.
  setTimeout(() => void files.init().catch((e: unknown) => ctx.log.error(`knowledge: could not read the knowledge files: ${(e as Error).message}`)), 0);
  return files;
}
