/**
 * The Agent view's check of what its extension sends, without zod: the webview bundle stays small (zod was 454 of
 * its 466 KB). Deep validation happens where the messages are made: the extension checks every message against
 * `ExtensionToWebviewSchema` (webview.ts) before posting it, and the view renders all text with `textContent`, never
 * as HTML. This guard only keeps an unknown or malformed envelope out of the view's switch.
 */
import type { ExtensionToWebview } from './webview';

/** Every message type the extension sends; the compiler fails here when webview.ts gains or loses one. */
const KNOWN: Record<ExtensionToWebview['type'], true> = {
  init: true, item: true, running: true, cleared: true, settings: true, feedbackStored: true, focusInput: true, needsModel: true, models: true, contextAdded: true, checkpoints: true,
};

/** Whether `raw` is a message envelope of a known type (its fields were validated by the extension). */
export function isExtensionMessage(raw: unknown): raw is ExtensionToWebview {
  if (typeof raw !== 'object' || raw === null) return false;
  const type = (raw as { type?: unknown }).type;
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(KNOWN, type);
}
