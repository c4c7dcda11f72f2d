// Runs the extension-host smoke suite in a downloaded desktop VS Code (@vscode/test-electron). Needs network access
// to download VS Code and a display (use xvfb-run on Linux CI); skips with a message where that is impossible.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
try {
  const code = await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: resolve(root, 'test/vscode/suite/index.cjs'),
    launchArgs: ['--disable-extensions', '--skip-welcome', '--skip-release-notes'],
  });
  process.exit(code);
} catch (e) {
  console.error(`test:vscode failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
