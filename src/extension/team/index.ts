/**
 * The team feature's sending side in VS Code (issue 10: everything that leaves the machine): join and leave, consent
 * per item, the preview of the next submission, Send Now, the schedule and status bar, and the audit log. The Team
 * view and adapters (receiving) register separately and share ctx.team.
 */
import type { OelContext } from '../context';
import type { KnowledgeFiles } from '../knowledge/knowledgeFiles';
import { registerAuditLog } from './auditLog';
import { registerConsentCommands } from './consent';
import { registerJoinCommands } from './joinCommands';
import { registerSendSchedule } from './sendSchedule';
import { registerSubmissionPreview } from './submissionPreview';
import { TeamSender } from './teamSender';

/** Registers every sending command and the status bar; call after ctx.team is set and the knowledge is registered. */
export function registerTeamSending(ctx: OelContext, files: KnowledgeFiles): TeamSender {
  const sender = ctx.own(new TeamSender(ctx, files));
  registerJoinCommands(ctx);
  registerConsentCommands(ctx, files, sender.consents);
  registerSubmissionPreview(ctx, files, sender);
  registerSendSchedule(ctx, files, sender);
  registerAuditLog(ctx);
  return sender;
}
