/**
 * "OEL Agent: Download Recommended Model": fetches the pinned small coding GGUF into the extension's global storage
 * (verified size and SHA-256, cancellable, nothing kept on failure), then points `oel.llamacpp.modelPath` at it and
 * switches the provider to the embedded llama.cpp runtime, both in the user settings.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { OelContext } from '../context';
import { loadCore, type ModelFileSpec } from '../core';

/**
 * Tests serve a tiny GGUF from a loopback server instead of Hugging Face. The override is read from the extension
 * host's environment (which no workspace can set) and only a loopback http URL is accepted, so it cannot be used
 * to fetch a model from anywhere else.
 */
export const TEST_MODEL_ENV = 'OEL_TEST_RECOMMENDED_MODEL';

function testOverride(): ModelFileSpec | undefined {
  const raw = process.env[TEST_MODEL_ENV];
  if (!raw) return undefined;
  const o = JSON.parse(raw) as ModelFileSpec;
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(String(o.url))) throw new Error(`${TEST_MODEL_ENV} must name a loopback http URL.`);
  return o;
}

/** 469 MiB, 1.2 MiB or 130 KiB: whole units where they say enough. */
function mib(n: number): string {
  if (n < 1048576) return `${Math.round(n / 1024)} KiB`;
  return n < 10 * 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : `${Math.round(n / 1048576)} MiB`;
}

/** Registers the download command and Local Model Settings (the `oel.llamacpp.*` settings, from the Agent view). */
export function registerDownloadModelCommand(ctx: OelContext): void {
  ctx.command('oel.openLocalModelSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', 'oel.llamacpp'));
  ctx.command('oel.downloadRecommendedModel', async () => {
    const core = await loadCore();
    const spec = testOverride() ?? core.RECOMMENDED_MODEL;
    const dir = join(ctx.ext.globalStorageUri.fsPath, 'models');
    let path: string;
    try {
      path = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `OEL Agent: downloading ${spec.label}`, cancellable: true },
        (progress, token) => {
          const ac = new AbortController();
          token.onCancellationRequested(() => ac.abort());
          let shown = 0;
          return core.downloadModelFile(spec, {
            dir,
            signal: ac.signal,
            onProgress: ({ receivedBytes, totalBytes }) => {
              const pct = (100 * receivedBytes) / totalBytes;
              if (pct - shown < 1 && receivedBytes < totalBytes) return; // at most ~100 updates
              progress.report({ increment: pct - shown, message: `${mib(receivedBytes)} of ${mib(totalBytes)}` });
              shown = pct;
            },
          });
        },
      );
    } catch (e) {
      if (e instanceof core.ModelDownloadError && e.cancelled) {
        ctx.log.info('download recommended model: cancelled, partial file deleted');
        void vscode.window.showInformationMessage('OEL Agent: download cancelled; nothing was kept.');
        return;
      }
      throw e;
    }
    const cfg = vscode.workspace.getConfiguration('oel');
    await cfg.update('llamacpp.modelPath', path, vscode.ConfigurationTarget.Global);
    await cfg.update('provider.kind', 'llamacpp', vscode.ConfigurationTarget.Global);
    ctx.log.info(`download recommended model: ${spec.label} verified at ${path}; provider set to llamacpp`);
    const a = await vscode.window.showInformationMessage(`OEL Agent: ${spec.label} is ready and the agent now runs it locally.`, 'Test Connection');
    if (a) await vscode.commands.executeCommand('oel.testConnection');
  });
}
