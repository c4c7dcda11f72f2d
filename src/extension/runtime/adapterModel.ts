/**
 * The "model the agent uses" while an adapter is active, as plain data (no `vscode` import, unit-tested).
 *
 * Decision: the user's `oel.provider.model` is never rewritten. A runtime that serves the adapter under another model
 * id (vLLM's adapter name, Ollama's created model) answers with that id; it is kept in the extension's global state
 * with what it was made for (runtime, address, the configured model). The agent, the status bar and Test Connection
 * use it only while all three still match: a roll back or deactivation clears it, and choosing another model or
 * runtime makes it stop applying at once, with no stale id left in the user's settings file to undo by hand.
 */

/** What the runtime answered when it took an adapter, persisted in global state. */
export interface AdapterModelState {
  /** `oel.adapters.runtime` when it was taken. */
  target: string;
  /** The runtime's base URL when it was taken. */
  baseUrl: string;
  /** `oel.provider.model` when it was taken: the model the adapter was put on. */
  forModel: string;
  /** The team server's folder name and the version. */
  server: string;
  version: number;
  /** The model id requests use now; absent when the configured model id stays (llama-server, embedded). */
  model?: string;
  at: string;
}

/** The settings the state is checked against. */
export interface ModelContext { configuredModel: string; target: string; baseUrl: string }

/** The state when it still applies to these settings, else undefined. */
export function applyingAdapter(state: AdapterModelState | undefined, now: ModelContext): AdapterModelState | undefined {
  if (!state || now.target === 'stored') return undefined;
  return state.target === now.target && state.baseUrl === now.baseUrl && state.forModel === now.configuredModel ? state : undefined;
}

/** The model id the agent sends: the adapted one while it applies, else the configured one. */
export function effectiveModel(state: AdapterModelState | undefined, now: ModelContext): string {
  return applyingAdapter(state, now)?.model ?? now.configuredModel;
}

/**
 * The state after a runtime answered: a taken version replaces it; going back to no adapter (`activation` null)
 * clears it; a refused version leaves it as it was, since the runtime still serves what it served before.
 */
export function nextAdapterModelState(
  previous: AdapterModelState | undefined,
  activation: { server: string; version: number } | null,
  answer: { taken: boolean; model?: string },
  now: ModelContext & { at: string },
): AdapterModelState | undefined {
  if (!activation) return undefined;
  if (!answer.taken) return previous;
  return {
    target: now.target, baseUrl: now.baseUrl, forModel: now.configuredModel, server: activation.server, version: activation.version,
    ...(answer.model ? { model: answer.model } : {}), at: now.at,
  };
}

/** Checks a value read back from global state (a damaged one counts as none). */
export function parseAdapterModelState(raw: unknown): AdapterModelState | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const s = raw as Record<string, unknown>;
  const str = (k: string) => typeof s[k] === 'string';
  if (!str('target') || !str('baseUrl') || !str('forModel') || !str('server') || !str('at')) return undefined;
  if (typeof s.version !== 'number' || !Number.isInteger(s.version) || s.version < 1) return undefined;
  if (s.model !== undefined && (typeof s.model !== 'string' || !s.model)) return undefined;
  return s as unknown as AdapterModelState;
}

/** The version as recorded in an episode header: `<server>#<version>`, the form knowledge items' `consolidated` uses. */
export function episodeAdapterVersion(state: AdapterModelState): string {
  return `${state.server}#${state.version}`;
}

/** A recorded value made safe for Markdown and labels: episode files can be edited by hand, so no markup survives. */
const plain = (s: string) => s.replace(/[^\w.:@-]+/g, '_').slice(0, 60);

/** How a recorded version reads in the UI: `127.0.0.1_8787#3` → `v3`; anything else as recorded (made plain, cut). */
export function adapterVersionLabel(recorded: string): string {
  const m = /#(\d{1,9})$/.exec(recorded);
  return m ? `v${m[1]}` : plain(recorded);
}

/** The server part of a recorded version (`127.0.0.1_8787#3` → `127.0.0.1_8787`), or '' when there is none. */
export function adapterServerLabel(recorded: string): string {
  const i = recorded.lastIndexOf('#');
  return i > 0 ? plain(recorded.slice(0, i)) : '';
}

/**
 * Whether the provider's API key may go to the adapter runtime's address: only when it is the provider's own origin
 * (scheme, host and port), so an address set for adapters never receives the key meant for the provider.
 */
export function sameOrigin(runtimeUrl: string, providerUrl: string): boolean {
  try { return new URL(runtimeUrl).origin === new URL(providerUrl).origin; } catch { return false; }
}
