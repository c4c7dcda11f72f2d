/**
 * The `oel` command: core features without VS Code. Each command group lives in its own module and registers here.
 */
import { runAnonymizeCommand } from './anonymizeCommand';
import { runKnowledgeCommand } from './knowledgeCommand';
import { runServerCommand } from './serverCommand';

const usage = `usage: oel <command> ...

commands:
  anonymize [FILE|-] [--jsonl]  replace secrets and personal data with placeholders (see: oel anonymize --help)
  knowledge check|fmt|prompt|review|extract
                                work with knowledge files (see: oel knowledge --help)
  server [admin ...]            run or administer a consolidation server (see: oel server --help)
`;

async function main(argv: string[]): Promise<number> {
  const [group, ...rest] = argv;
  switch (group) {
    case 'anonymize':
      return runAnonymizeCommand(rest);
    case 'knowledge':
      return runKnowledgeCommand(rest);
    case 'server':
      return runServerCommand(rest);
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(usage);
      return group === undefined ? 2 : 0;
    default:
      process.stderr.write(`oel: unknown command '${group}'\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`oel: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
