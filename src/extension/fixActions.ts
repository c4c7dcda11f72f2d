/**
 * The buttons an error offers, from the fixes the core says fit it (src/core/provider/errors.ts): only what can
 * help, so "Set API Key" appears when the key is the problem and not when nothing is listening. Pure; no vscode.
 */
import type { ProviderFix } from '../core/provider/errors';

/** One action: its label and the command it runs. */
export interface FixAction { label: string; command: string }

/**
 * Actions for `fixes`, in their order, each command once. `retryCommand` is what "Try Again" runs in this place
 * (Test Connection tries the connection again); without it, retry offers nothing.
 */
export function fixActions(fixes: readonly ProviderFix[], retryCommand?: string): FixAction[] {
  const out: FixAction[] = [];
  const add = (label: string, command: string) => { if (!out.some((a) => a.command === command)) out.push({ label, command }); };
  for (const fix of fixes) {
    switch (fix) {
      case 'apiKey': add('Set API Key', 'oel.setApiKey'); break;
      case 'baseUrl': case 'model': add('Open Settings', 'oel.openSettings'); break;
      case 'retry': if (retryCommand) add('Try Again', retryCommand); break;
      case 'log': add('Show Log', 'oel.showLog'); break;
    }
  }
  return out;
}
