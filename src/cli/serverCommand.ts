/** `oel server ...` (placeholder until the consolidation server lands). */
export async function runServerCommand(_args: string[]): Promise<number> {
  process.stderr.write('oel server: not available in this build\n');
  return 2;
}
