/**
 * Every tool reaches the disk through WorkspaceFiles, which confines each path when it reads or writes: these are the
 * attacks a repository (or the model) can mount with paths and symbolic links, each shown failing on real files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { tempWorkspace } from '../helpers';
import { executeToolCall } from '../../../../src/core/tools/executor';
import { call, toolContext } from './support';

const AUTO = { read: 'auto', edit: 'auto', command: 'auto' } as const;

function outsideFolder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'oel-outside-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('a dangling link is refused: create_file through it does not create its target outside', async () => {
  const outside = outsideFolder();
  const root = tempWorkspace({ 'ok.txt': 'fine' });
  // innocent.txt -> ../../oel-outside-xxx/pwned.txt, relative like one checked into a repository; the target is missing.
  symlinkSync(relative(root, join(outside, 'pwned.txt')), join(root, 'innocent.txt'));
  const { ctx } = toolContext(root, { policy: AUTO });
  const created = await executeToolCall(ctx, call('create_file', { path: 'innocent.txt', content: 'pwned' }));
  assert.equal(created.status, 'refused', created.output);
  assert.match(created.output, /symbolic link whose target does not exist/);
  assert.equal(existsSync(join(outside, 'pwned.txt')), false, 'nothing was written outside the workspace');
  for (const c of [call('propose_edit', { path: 'innocent.txt', content: 'pwned' }), call('read_file', { path: 'innocent.txt' })]) {
    const obs = await executeToolCall(ctx, c);
    assert.equal(obs.status, 'refused', `${c.name}: ${obs.output}`);
  }
  assert.equal(existsSync(join(outside, 'pwned.txt')), false);
});

test('a link swapped in while the user decides is caught when the edit is written, not followed', async () => {
  const outside = outsideFolder({ 'target.txt': 'outside, untouched\n' });
  const root = tempWorkspace({ 'a.txt': 'hello\n' });
  const swapToLink = (name: string, target: string) => () => {
    if (existsSync(join(root, name))) unlinkSync(join(root, name));
    symlinkSync(target, join(root, name));
    return { decision: 'approved' as const };
  };
  // An existing file becomes a link to a file outside.
  const edit = toolContext(root, { approve: swapToLink('a.txt', join(outside, 'target.txt')) });
  const edited = await executeToolCall(edit.ctx, call('propose_edit', { path: 'a.txt', search: 'hello', replace: 'pwned' }));
  assert.equal(edited.status, 'refused', edited.output);
  assert.match(edited.output, /outside the workspace/);
  assert.equal(readFileSync(join(outside, 'target.txt'), 'utf8'), 'outside, untouched\n');
  assert.ok(edit.steps.some((s) => s.kind === 'edit' && !s.accepted), 'recorded as not applied');

  // A new file's name becomes a dangling link to a missing file outside.
  const create = toolContext(root, { approve: swapToLink('new.txt', join(outside, 'created.txt')) });
  const created = await executeToolCall(create.ctx, call('create_file', { path: 'new.txt', content: 'pwned' }));
  assert.notEqual(created.status, 'ok', created.output);
  assert.equal(existsSync(join(outside, 'created.txt')), false, 'the link was not followed');

  // A folder on the way becomes a link to a folder outside.
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'sub', 'b.txt'), 'b\n');
  writeFileSync(join(outside, 'b.txt'), 'outside b\n');
  const folder = toolContext(root, {
    approve: () => {
      rmSync(join(root, 'sub'), { recursive: true });
      symlinkSync(outside, join(root, 'sub'));
      return { decision: 'approved' };
    },
  });
  const viaFolder = await executeToolCall(folder.ctx, call('propose_edit', { path: 'sub/b.txt', content: 'pwned\n' }));
  assert.equal(viaFolder.status, 'refused', viaFolder.output);
  assert.equal(readFileSync(join(outside, 'b.txt'), 'utf8'), 'outside b\n');
});

test('.. and absolute paths: refused outside the root, accepted inside it', async () => {
  const outside = outsideFolder({ 'secret.txt': 'top secret' });
  const root = tempWorkspace({ 'src/a.txt': 'inside' });
  const { ctx } = toolContext(root, { policy: AUTO });
  for (const path of ['..', '../x', 'src/../../x', join(outside, 'secret.txt'), '/etc/passwd']) {
    const obs = await executeToolCall(ctx, call('read_file', { path }));
    assert.equal(obs.status, 'refused', path);
    assert.match(obs.output, /outside the workspace/);
  }
  const escaped = await executeToolCall(ctx, call('create_file', { path: `../${relative(join(root, '..'), outside)}/new.txt`, content: 'x' }));
  assert.equal(escaped.status, 'refused');
  assert.equal(existsSync(join(outside, 'new.txt')), false);
  assert.equal((await executeToolCall(ctx, call('read_file', { path: join(root, 'src/a.txt') }))).output, 'inside');
  assert.equal((await executeToolCall(ctx, call('read_file', { path: 'src/../src/a.txt' }))).output, 'inside');
});

test('a path that differs only in case is the same entry on a case-insensitive volume and another one elsewhere; neither escapes', async () => {
  const outside = outsideFolder({ 'secret.txt': 'top secret' });
  const root = tempWorkspace({ 'Notes.txt': 'notes' });
  symlinkSync(outside, join(root, 'Out'));
  const insensitive = existsSync(join(root, 'NOTES.TXT'));
  const { ctx } = toolContext(root, { policy: AUTO });
  // The link spelled in another case: on a case-insensitive volume it is the link and is refused; on a case-sensitive
  // one it names nothing, and writing there makes a real folder inside the workspace.
  const read = await executeToolCall(ctx, call('read_file', { path: 'out/secret.txt' }));
  assert.doesNotMatch(read.output, /top secret/);
  assert.equal(read.status, insensitive ? 'refused' : 'error', read.output);
  const created = await executeToolCall(ctx, call('create_file', { path: 'OUT/new.txt', content: 'x' }));
  assert.equal(existsSync(join(outside, 'new.txt')), false, 'nothing written outside');
  if (insensitive) {
    assert.equal(created.status, 'refused');
    assert.equal((await executeToolCall(ctx, call('read_file', { path: 'notes.txt' }))).output, 'notes');
  } else {
    assert.equal(created.status, 'ok', created.output);
    assert.equal(readFileSync(join(root, 'OUT', 'new.txt'), 'utf8'), 'x');
    assert.match((await executeToolCall(ctx, call('read_file', { path: 'notes.txt' }))).output, /File not found/);
    // The root spelled in another case is another folder here: refused as outside.
    const upper = await executeToolCall(ctx, call('read_file', { path: join(root.toUpperCase(), 'Notes.txt') }));
    assert.equal(upper.status, 'refused');
  }
});

test('a folder link inside the workspace that points out: not read, listed as such, not searched, not written through', async () => {
  const outside = outsideFolder({ 'secret.txt': 'needle outside' });
  const root = tempWorkspace({ 'src/a.ts': 'needle inside\n' });
  symlinkSync(outside, join(root, 'vendor'));
  symlinkSync(join(root, 'src'), join(root, 'alias'));
  symlinkSync(join(root, 'missing'), join(root, 'broken'));
  const { ctx } = toolContext(root, { policy: AUTO });
  assert.equal((await executeToolCall(ctx, call('read_file', { path: 'vendor/secret.txt' }))).status, 'refused');
  assert.equal((await executeToolCall(ctx, call('list_dir', { path: 'vendor' }))).status, 'refused');
  const listing = (await executeToolCall(ctx, call('list_dir', {}))).output.split('\n');
  assert.deepEqual(listing, [
    'alias/',
    'broken  (broken symbolic link; not followed)',
    'src/',
    'vendor  (symbolic link leading outside the workspace; not followed)',
  ]);
  const hits = await executeToolCall(ctx, call('search_text', { query: 'needle' }));
  assert.equal(hits.output, 'src/a.ts:1: needle inside');
  const created = await executeToolCall(ctx, call('create_file', { path: 'vendor/new.txt', content: 'x' }));
  assert.equal(created.status, 'refused');
  assert.equal(existsSync(join(outside, 'new.txt')), false);
  // A link that stays inside is followed, for reading and writing.
  assert.equal((await executeToolCall(ctx, call('read_file', { path: 'alias/a.ts' }))).output, 'needle inside\n');
  assert.equal((await executeToolCall(ctx, call('propose_edit', { path: 'alias/a.ts', search: 'inside', replace: 'moved' }))).status, 'ok');
  assert.equal(readFileSync(join(root, 'src/a.ts'), 'utf8'), 'needle moved\n');
});

test('an approved edit is written only while the file still holds what it was computed from', async () => {
  const root = tempWorkspace({ 'a.txt': 'one\ntwo\n' });
  // The user changes the file while the approval card is open.
  const { ctx, requests, steps } = toolContext(root, {
    approve: () => {
      writeFileSync(join(root, 'a.txt'), 'one\ntwo\nthe user typed this\n');
      return { decision: 'approved' };
    },
  });
  const obs = await executeToolCall(ctx, call('propose_edit', { path: 'a.txt', search: 'two', replace: 'TWO' }));
  assert.equal(obs.status, 'error');
  assert.match(obs.output, /changed since this edit was proposed.*nothing was overwritten.*Read the file again/s);
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'one\ntwo\nthe user typed this\n', "the user's change is kept");
  assert.ok(steps.some((s) => s.kind === 'edit' && !s.accepted));
  // The approval carried the exact texts (Open Diff shows them).
  assert.deepEqual({ ...requests[0].edit, beforeHash: undefined }, { path: 'a.txt', mode: 'replace', before: 'one\ntwo\n', after: 'one\nTWO\n', beforeHash: undefined });

  // Unchanged: exactly `after` is written, and the file keeps its mode.
  chmodSync(join(root, 'a.txt'), 0o750);
  const ok = toolContext(root);
  assert.equal((await executeToolCall(ok.ctx, call('propose_edit', { path: 'a.txt', search: 'typed', replace: 'wrote' }))).status, 'ok');
  assert.equal(readFileSync(join(root, 'a.txt'), 'utf8'), ok.requests[0].edit!.after);
  assert.equal(statSync(join(root, 'a.txt')).mode & 0o777, 0o750);

  // A file proposed as new that appears meanwhile is not overwritten.
  const racing = toolContext(root, { approve: () => { writeFileSync(join(root, 'b.txt'), 'theirs'); return { decision: 'approved' }; } });
  const created = await executeToolCall(racing.ctx, call('create_file', { path: 'b.txt', content: 'ours' }));
  assert.equal(created.status, 'error');
  assert.match(created.output, /exists now/);
  assert.equal(readFileSync(join(root, 'b.txt'), 'utf8'), 'theirs');
});
