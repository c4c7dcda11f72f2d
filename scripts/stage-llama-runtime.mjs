// Stages node-llama-cpp for the .vsix: the embedded provider's worker (dist/llama-worker.mjs) imports it, and it
// cannot be bundled (native addon + ESM that finds its binaries relative to its own files). This copies node-llama-cpp,
// its production dependencies (resolved the way Node resolves them) and the prebuilt binary package for this platform
// into dist/node_modules, where Node finds them from dist/llama-worker.mjs. Left out: llama/gitRelease.bundle (llama.cpp
// sources, only for building from source) and the CUDA/Vulkan binaries (hundreds of MB; gpuLayers needs them).
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const root = process.cwd();
const out = join(root, 'dist', 'node_modules');
rmSync(out, { recursive: true, force: true });

/** The folder of package `name` as Node would resolve it from `from` (a package folder). */
function resolvePackage(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return null;
  }
}

const platformBinary = `@node-llama-cpp/${process.platform === 'darwin' ? 'mac' : process.platform === 'win32' ? 'win' : 'linux'}-${process.arch}${process.platform === 'darwin' && process.arch === 'arm64' ? '-metal' : ''}`;
const seen = new Set();
const queue = [[ 'node-llama-cpp', root ]];
while (queue.length) {
  const [name, from] = queue.shift();
  const dir = resolvePackage(name, from);
  if (!dir || seen.has(dir)) continue;
  seen.add(dir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const dest = join(out, relative(join(root, 'node_modules'), dir));
  cpSync(dir, dest, { recursive: true, dereference: true, filter: (src) => !src.endsWith(join('llama', 'gitRelease.bundle')) && !src.includes(`${sep}node_modules${sep}.bin`) });
  for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push([dep, dir]);
  if (name === 'node-llama-cpp') queue.push([platformBinary, dir]);
}
console.log(`stage-llama-runtime: ${seen.size} packages (with ${platformBinary}) staged in dist/node_modules`);
