/**
 * The team feature's receiving side in VS Code (issue 10: everything that comes back from the team server): the Team
 * view, Update Adapter and Roll Back, and absorbed knowledge leaving the prompt. The sending side (join, consent,
 * preview, send, audit log) registers in index.ts; both share ctx.team.
 */
import type { OelContext } from '../context';
import type { KnowledgeFiles } from '../knowledge/knowledgeFiles';
import { AdapterUpdates } from './adapterUpdates';
import { registerTeamView } from './teamView';

/** Registers the Team view and the receiving commands; call after ctx.team, ctx.adapters and the knowledge files exist. */
export function registerTeamReceiving(ctx: OelContext, files: KnowledgeFiles): void {
  const updates = ctx.own(new AdapterUpdates(ctx, files));
  registerTeamView(ctx, updates);
  ctx.command('oel.team.updateAdapter', () => updates.update({ auto: false }));
  ctx.command('oel.team.rollBack', () => updates.rollBack());
  const refresh = () => void updates.refreshAbsorption().catch((e: unknown) => ctx.log.warn(`team: could not update absorbed knowledge: ${(e as Error).message}`));
  // A runtime or model change can start or stop serving the adapter; joining or leaving changes which server counts.
  if (ctx.adapters) ctx.own(ctx.adapters.onDidChange(refresh));
  if (ctx.team) ctx.own(ctx.team.onDidChange(refresh));
  setTimeout(refresh, 0);
}
