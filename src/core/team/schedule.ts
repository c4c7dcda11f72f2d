/**
 * When the queue is sent: by hand, daily or weekly (a setting). Pure, so the status bar ("next send in 5 h, 3
 * queued") and the timer that sends agree.
 */

/** The schedule setting. */
export type SendSchedule = 'manual' | 'daily' | 'weekly';

const PERIOD_MS: Record<Exclude<SendSchedule, 'manual'>, number> = { daily: 24 * 3600_000, weekly: 7 * 24 * 3600_000 };

/**
 * The time of the next automatic send, or null for `manual` (and before the first submission to a server, which
 * always goes through the preview: `firstSendDone` false). Overdue sends are due now.
 */
export function nextSendAt(schedule: SendSchedule, lastSentAt: Date | null, now: Date, firstSendDone: boolean): Date | null {
  if (schedule === 'manual' || !firstSendDone) return null;
  if (!lastSentAt) return now;
  const due = lastSentAt.getTime() + PERIOD_MS[schedule];
  return new Date(Math.max(due, now.getTime()));
}
