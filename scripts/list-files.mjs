// Lists the files under a folder, recursively and in sorted order, keeping those whose name passes `keep`.
// A folder that does not exist lists nothing. Shared by the test runner, the bench runner and the layer check.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function listFiles(dir, keep) {
  let names;
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listFiles(path, keep);
    return keep(name) ? [path] : [];
  });
}
