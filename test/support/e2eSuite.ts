/**
 * The shared setup of an e2e file that runs agent tasks: code-server installed, the packaged extension installed into
 * a fresh extensions folder, a scripted model server, and all of it removed after the file's tests.
 */
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeServerInstall, installVsix, requireVsix } from './codeServer';
import { startScriptedModel, type ScriptedModel } from './scriptedModel';

/** What the tests of the file use; filled in by the `before` hook. */
export interface AgentSuite { tmp: string; extensionsDir: string; model: ScriptedModel }

/** Registers the file's before/after hooks; `name` names the temp folder. */
export function agentSuite(name: string): AgentSuite {
  const suite = {} as AgentSuite;
  before(async () => {
    codeServerInstall();
    suite.tmp = mkdtempSync(join(tmpdir(), `oel-e2e-${name}-`));
    suite.extensionsDir = join(suite.tmp, 'extensions');
    installVsix(requireVsix(), suite.extensionsDir);
    suite.model = await startScriptedModel();
  });
  after(async () => {
    await suite.model?.close();
    if (suite.tmp) rmSync(suite.tmp, { recursive: true, force: true });
  });
  return suite;
}
