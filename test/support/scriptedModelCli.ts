/**
 * Serves the scripted model from the command line, for e2e tests that drive it over HTTP:
 *   node --import tsx test/support/scriptedModelCli.ts --port 8123 [--api-key KEY]
 * Control routes: POST /__script/enqueue (a response or an array), GET /__script/requests, POST /__script/reset.
 */
import { startScriptedModel } from './scriptedModel';

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const model = await startScriptedModel({ port: Number(flag('port') ?? 0), apiKey: flag('api-key') });
console.log(`scripted model listening on ${model.url}`);
const shutdown = () => { void model.close().then(() => process.exit(0)); };
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
