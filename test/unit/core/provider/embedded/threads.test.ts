// The embedded runtime's automatic thread count: never more threads than cores, one core left to the editor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoThreads } from '../../../../../src/core/provider/embedded/threads';

test('automatic threads leave one core to the editor and never outnumber the cores', () => {
  assert.equal(autoThreads(2, 2), 1, 'a 2-core machine generates on 1 thread, not node-llama-cpp\'s 4');
  assert.equal(autoThreads(1, 1), 1);
  assert.equal(autoThreads(4), 3);
  assert.equal(autoThreads(16, 8), 8, 'math cores (physical) bound it on a machine with many cores');
  assert.equal(autoThreads(16, 0), 15, 'an unknown math-core count falls back to the cores less one');
});
