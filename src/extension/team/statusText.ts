/**
 * The words of the team status bar item ("Team: 3 queued · next Mon 09:00"). Pure, so the schedule's rules (manual,
 * first send only from the preview, overdue means now) read the same in the status bar as in the timer.
 */
import type { SendSchedule } from '../../core/team/schedule';

/** What the status bar reports. */
export interface TeamStatus {
  /** Items waiting to leave: consented and ready, plus those inside unsent queued submissions. */
  waiting: number;
  schedule: SendSchedule;
  /** nextSendAt(): null for manual, and before the first submission (which goes through the preview). */
  next: Date | null;
  firstSendDone: boolean;
  /** The last send failed with this message (shown in the tooltip). */
  lastError?: string;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const two = (n: number) => String(n).padStart(2, '0');

/** "09:00" today, "Mon 09:00" within a week, "2026-12-24 09:00" beyond; "now" when due. Local time. */
export function formatSendTime(at: Date, now: Date): string {
  if (at.getTime() <= now.getTime()) return 'now';
  const hm = `${two(at.getHours())}:${two(at.getMinutes())}`;
  const sameDay = at.toDateString() === now.toDateString();
  if (sameDay) return hm;
  if (at.getTime() - now.getTime() < 6.5 * 24 * 3600_000) return `${DAYS[at.getDay()]} ${hm}`;
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${hm}`;
}

/** The status bar text and tooltip. */
export function teamStatusText(s: TeamStatus, now: Date): { text: string; tooltip: string } {
  const when = !s.firstSendDone ? 'preview to send' : s.schedule === 'manual' || !s.next ? 'send manually' : `next ${formatSendTime(s.next, now)}`;
  const text = `$(organization) Team: ${s.waiting} queued · ${when}`;
  const lines = [
    `${s.waiting} item${s.waiting === 1 ? '' : 's'} waiting to be shared with your team.`,
    !s.firstSendDone ? 'The first submission to this server is sent from its preview.'
      : s.schedule === 'manual' ? 'Schedule: manual (Send to Team Now, or Send in the preview).' : `Schedule: ${s.schedule}${s.next ? `; next send ${formatSendTime(s.next, now)}` : ''}.`,
    ...(s.lastError ? [`Last send failed: ${s.lastError}`] : []),
    'Click to preview the next submission.',
  ];
  return { text, tooltip: lines.join('\n') };
}

/** After a scheduled send failed, the timer waits this long before the next try (the client already retried). */
export const SCHEDULE_RETRY_MS = 15 * 60_000;

/**
 * Whether the schedule timer sends now: a next-send time that has come, and no failed scheduled send within the last
 * {@link SCHEDULE_RETRY_MS} (a server that is down would otherwise be tried, and reported, every minute).
 */
export function scheduledSendDue(next: Date | null, now: Date, lastFailureAt: Date | null): boolean {
  if (!next || next.getTime() > now.getTime()) return false;
  return !lastFailureAt || now.getTime() - lastFailureAt.getTime() >= SCHEDULE_RETRY_MS;
}
