// Tokenization and chat templates come from the model folder: ChatML specials map to their ids, student and teacher
// prompts share the user turn, and the teacher carries the knowledge preamble.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelChat } from '../../../src/server/chat';
import { KNOWLEDGE_PREAMBLE, promptPair } from '../../../src/server/prompts';
import { tinyModel } from './harness';

test('model folder tokenizer and chat template', () => {
  const chat = new ModelChat(tinyModel());
  assert.ok(chat.stopTokenIds.includes(258), 'eos <|im_end|> is a stop id');
  assert.equal(chat.padTokenId, 256);
  const ids = chat.encodeChat([{ role: 'user', content: 'hé' }]);
  // <|im_start|>user\nhé<|im_end|>\n<|im_start|>assistant\n  (é is two byte tokens)
  assert.deepEqual(ids.slice(0, 9), [257, 117, 115, 101, 114, 10, 104, 195, 169]);
  assert.equal(ids[9], 258);
  assert.equal(chat.decode(ids.slice(6, 9)), 'hé');
  const pair = promptPair(chat, 'p', 'Fix the bug', ['Run the tests first.']);
  assert.ok(pair.teacher.length > pair.student.length);
  assert.deepEqual(pair.teacher.slice(-12), pair.student.slice(-12));
  assert.ok(chat.decode(pair.teacher).includes(KNOWLEDGE_PREAMBLE));
  assert.ok(!chat.decode(pair.student).includes('Run the tests first.'));
});
