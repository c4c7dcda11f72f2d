import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunGate } from '../../../src/extension/runGate';

test('two sends in quick succession start one task: the second is refused while the first is still starting', async () => {
  const states: boolean[] = [];
  const gate = new RunGate((running) => states.push(running));
  let started = 0;
  // Like AgentController.send: the task awaits its set-up (edit checks, the core, the key, the store) before running.
  const task = async () => {
    await new Promise((r) => setTimeout(r, 50));
    started++;
  };
  const first = gate.run(task);
  const second = gate.run(task);
  assert.equal(gate.running, true, 'claimed synchronously');
  assert.deepEqual(await Promise.all([first, second]), [true, false]);
  assert.equal(started, 1);
  assert.deepEqual(states, [true, false]);
  assert.equal(gate.running, false);
  // Once the first has ended, the next send runs; a task that throws still releases the gate.
  await assert.rejects(gate.run(async () => { throw new Error('boom'); }), /boom/);
  assert.equal(gate.running, false);
  assert.equal(await gate.run(task), true);
  assert.equal(started, 2);
});
