/**
 * The code of the search worker thread, as a string run with `new Worker(source, { eval: true })`. It is a string, not a
 * module, so the same worker runs from the extension's bundle, the CLI's bundle and the tests' TypeScript sources
 * without a separate entry file to locate at run time. It only matches: the main thread has already walked and
 * confined the file list. The main thread terminates it at the deadline, which stops a regular expression in the
 * middle of a catastrophic backtrack.
 *
 * workerData: { files: [{ real, relative }], text, regex, maxResults, maxBytes, openFlags }
 * Posts one message: [{ path, line, text }].
 */
export const SEARCH_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { files, text, regex, maxResults, maxBytes, openFlags } = workerData;
const matcher = regex ? new RegExp(text) : null;
const hits = [];
function read(real) {
  let fd;
  try {
    // The real path was resolved by the main thread; a link put in its place since is not followed.
    fd = fs.openSync(real, fs.constants.O_RDONLY | openFlags);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > maxBytes) return null;
    return fs.readFileSync(fd);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
for (const file of files) {
  if (hits.length >= maxResults) break;
  const buf = read(file.real);
  if (!buf || buf.subarray(0, 8000).includes(0)) continue;
  const lines = buf.toString('utf8').split('\n');
  for (let i = 0; i < lines.length && hits.length < maxResults; i++) {
    if (matcher ? matcher.test(lines[i]) : lines[i].includes(text)) hits.push({ path: file.relative, line: i + 1, text: lines[i].slice(0, 300) });
  }
}
parentPort.postMessage(hits);
`;
