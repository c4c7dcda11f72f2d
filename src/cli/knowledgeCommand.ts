/** `oel knowledge ...` (placeholder until the knowledge feature lands). */
export async function runKnowledgeCommand(_args: string[]): Promise<number> {
  process.stderr.write('oel knowledge: not available in this build\n');
  return 2;
}
