import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactSecrets, redactSecretsThorough } from '../../../../src/core/redact/redact';

// Secrets are assembled from parts so this file itself does not look like a leak to scanners.
const samples: Record<string, string> = {
  openai: 'sk-proj-' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
  github: 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
  aws: 'AKIA' + 'IOSFODNN7EXAMPL3',
  slack: 'xoxb-' + '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
  jwt: 'eyJhbGciOiJIUzI1NiJ9' + '.eyJzdWIiOiIxMjM0NTY3ODkwIn0' + '.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  privateKey: '-----BEGIN RSA ' + 'PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
  urlPassword: 'postgres://admin:' + 'hunter2secret@db.example.com/app',
  bearer: 'Authorization: Bearer ' + 'abcdef123456ghijkl',
  assignment: 'password=' + 'SuperSecret99',
  apiKeyAssign: 'api_key: "' + 'k3y-value-xyz"',
};
const secretParts: Record<string, string> = {
  openai: samples.openai, github: samples.github, aws: samples.aws, slack: samples.slack, jwt: samples.jwt,
  privateKey: 'MIIEowIBAAKCAQEA', urlPassword: 'hunter2secret', bearer: 'abcdef123456ghijkl', assignment: 'SuperSecret99', apiKeyAssign: 'k3y-value-xyz',
};

for (const [kind, text] of Object.entries(samples)) {
  test(`redacts ${kind}`, () => {
    const out = redactSecrets(`before ${text} after`);
    assert.ok(!out.includes(secretParts[kind]), out);
    assert.match(out, /\[REDACTED:/);
    assert.match(out, /^before /);
  });
}

test('redacts the configured key literally and leaves ordinary text alone', () => {
  assert.equal(redactSecrets('key is plainkey123 ok', ['plainkey123']), 'key is [REDACTED:configured-key] ok');
  const code = 'const total = items.reduce((a, b) => a + b, 0); // password policy: see docs';
  assert.equal(redactSecrets(code), code);
});

// Shapes only secretlint's preset knows (SendGrid, Shopify): the own patterns have no rule for them, so these prove the
// thorough pass really runs secretlint rather than repeating the own patterns.
const secretlintOnly: Record<string, string> = {
  sendgrid: 'SG.' + 'aB3dE6gH9jK2mN5pQ8sT1v' + '.' + 'Wx4yZ7bC0eF3hI6kL9nO2qR5tU8wX1zA4cD7fG0jM3p',
  shopify: 'shpat_' + '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
};

for (const [kind, token] of Object.entries(secretlintOnly)) {
  test(`the thorough pass (secretlint) redacts a ${kind} token the own patterns miss, and keeps the text around`, async () => {
    const text = `shape ${token} in the log`;
    assert.equal(redactSecrets(text), text, 'the own patterns must not know this shape, or the case proves nothing');
    const out = await redactSecretsThorough(text);
    assert.ok(!out.includes(token), out);
    assert.match(out, new RegExp(`^shape \\[REDACTED:${kind}\\] in the log$`));
  });
}

test('the thorough pass still applies the own patterns and configured keys first', async () => {
  const out = await redactSecretsThorough(`token ${samples.github} key plainkey123`, ['plainkey123']);
  assert.equal(out, 'token [REDACTED:github-token] key [REDACTED:configured-key]');
});
