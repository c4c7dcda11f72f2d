import type { SessionResponse } from '../core/protocol/consolidation';

/** What every section gets from the page. */
export interface SectionContext {
  session: SessionResponse;
  /** True for an admin token; members see no control that changes anything (the server refuses them anyway). */
  isAdmin: boolean;
  /** Says something to screen-reader users (an action's outcome). */
  announce(message: string): void;
}

/** One section of the dashboard: fills its element, and stops its timers when another section replaces it. */
export interface Section {
  mount(root: HTMLElement, ctx: SectionContext): Promise<void>;
  dispose?(): void;
}
