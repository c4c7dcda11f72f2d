import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunGate } from '../../../src/extension/runGate';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('two sends in quick succession start one task: the second is refused while the first is still starting', async () => {
  const states: boolean[] = [];
  const gate = new RunGate((running) => states.push(running));
  let started = 0;
  // Like AgentController.send: the task awaits its set-up (edit checks, the core, the key, the store) before running.
  const task = async () => {
    await tick(50);
    started++;
  };
  const first = gate.run(task);
  const second = gate.run(task);
  assert.equal(gate.running, true, 'claimed synchronously');
  assert.deepEqual(await Promise.all([first, second]), [true, false]);
  assert.equal(started, 1);
  assert.deepEqual(states, [true, false]);
  assert.equal(gate.running, false);
  // A task that throws still releases the gate.
  await assert.rejects(gate.run(async () => { throw new Error('boom'); }), /boom/);
  assert.equal(gate.running, false);
  assert.equal(await gate.run(task), true);
  assert.equal(started, 2);
});

test('a task that releases early lets the next send in while it finishes its bookkeeping', async () => {
  const states: boolean[] = [];
  const gate = new RunGate((running) => states.push(running));
  let next: Promise<boolean> | undefined;
  const first = gate.run(async (release) => {
    await tick(10); // the session
    release();
    next = gate.run(async () => {}); // a follow-up sent as soon as the view says the run ended
    await tick(30); // writing the history
  });
  assert.equal(await first, true);
  assert.equal(await next, true);
  assert.deepEqual(states, [true, false, true, false], 'released once, not again when the task settled');
});
