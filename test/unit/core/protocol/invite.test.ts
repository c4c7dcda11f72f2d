// Invites: what `oel server admin invite` prints parses back to the same URL, token and key id; damaged or hostile
// invites are refused with a message that says what is wrong and never echoes the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatInvite, INVITE_PREFIX, parseInvite } from '../../../../src/core/protocol/invite';

const GOOD = { v: 1 as const, url: 'https://oel.example.com:8443/team/', token: 'oel_abcdefghijklmnop', key_id: '0123456789abcdef', team: 'alpha' };
const encode = (o: unknown) => INVITE_PREFIX + Buffer.from(JSON.stringify(o)).toString('base64url');

test('an invite round-trips, tolerating whitespace and line breaks from a mail client', () => {
  const s = formatInvite(GOOD);
  assert.match(s, /^oel-invite:[A-Za-z0-9_-]+$/);
  const wrapped = `  ${s.slice(0, 30)}\n${s.slice(30)}\n`;
  assert.deepEqual(parseInvite(wrapped), { ok: true, invite: { ...GOOD, url: 'https://oel.example.com:8443/team' } });
});

test('damaged or hostile invites are refused with a message naming the problem, never the token', () => {
  const cases: [string, RegExp][] = [
    ['oel_abcdefghijklmnop', /starts with 'oel-invite:'/],
    [`${INVITE_PREFIX}abc$%`, /characters that base64url does not use/],
    [formatInvite(GOOD).slice(0, 40), /damaged or cut short/],
    [encode({ ...GOOD, url: 'file:///etc/passwd' }), /invite's url must start with http:\/\/ or https:\/\//],
    [encode({ ...GOOD, url: 'https://user:pw@evil.example/' }), /url must not contain a user name or password/],
    [encode({ ...GOOD, token: 'oel_abc\r\nX-Evil: 1' }), /invite's token must be 8-512 printable/],
    [encode({ ...GOOD, key_id: 'ABC' }), /invite's key_id must be 16 lowercase hex digits/],
    [encode({ ...GOOD, v: 2 }), /invite's v /],
    [encode({ ...GOOD, extra: 1 }), /invite/],
  ];
  for (const [text, re] of cases) {
    const r = parseInvite(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) {
      assert.match(r.message, re, text);
      assert.ok(!r.message.includes('abcdefghijklmnop'), 'the token is not echoed');
    }
  }
});

test('formatInvite refuses what parseInvite would refuse', () => {
  assert.throws(() => formatInvite({ ...GOOD, url: 'ftp://x' }));
  assert.throws(() => formatInvite({ ...GOOD, token: 'has space in it' }));
});
