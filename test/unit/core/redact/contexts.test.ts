/**
 * Secrets recognised by what names them (the redactor's contextual layer, used on every trajectory step, on knowledge
 * text and by the anonymizer): the value goes, and references, types, placeholders and prose stay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSecrets, redactSecrets } from '../../../../src/core/redact/redact';

// Values are assembled from parts so this file itself does not look like a leak to scanners.
const pw = 'Xk9#mP2' + '$vL!q';

test('a literal after a secret name is redacted in every notation', () => {
  const cases: [string, string][] = [
    [`DB_PASSWORD=${pw}`, 'DB_PASSWORD=[REDACTED:password]'],
    [`export API_TOKEN="${pw}"`, 'export API_TOKEN="[REDACTED:token]"'],
    [`"client_secret": "${pw}"`, '"client_secret": "[REDACTED:secret]"'],
    [`  password: ${pw}`, '  password: [REDACTED:password]'],
    [`apiKey := "${pw}"`, 'apiKey := "[REDACTED:secret]"'],
    [`$env:OPENAI_KEY = "${pw}"`, '$env:OPENAI_KEY = "[REDACTED:secret]"'],
    [`{\\"password\\": \\"${pw}\\"}`, '{\\"password\\": \\"[REDACTED:password]\\"}'],
    [`jdbc:mysql://db/app?user=app&password=${pw}&ssl=true`, 'jdbc:mysql://db/app?user=app&password=[REDACTED:password]&ssl=true'],
    [`<password>${pw}</password>`, '<password>[REDACTED:password]</password>'],
    [`<add key="SmtpPassword" value="${pw}" />`, '<add key="SmtpPassword" value="[REDACTED:password]" />'],
    [`define('AUTH_KEY', '${pw}');`, "define('AUTH_KEY', '[REDACTED:secret]');"],
    [`builder.setPassword("${pw}")`, 'builder.setPassword("[REDACTED:password]")'],
    [`./deploy --client-secret ${pw} --env prod`, './deploy --client-secret [REDACTED:secret] --env prod'],
    [`sshpass -p '${pw}' ssh ops@host`, "sshpass -p '[REDACTED:password]' ssh ops@host"],
    [`docker login registry -u ci -p ${pw}`, 'docker login registry -u ci -p [REDACTED:password]'],
    [`redis-cli -h cache -a ${pw} ping`, 'redis-cli -h cache -a [REDACTED:password] ping'],
    [`machine git.example.com login ci password ${pw}`, 'machine git.example.com login ci password [REDACTED:password]'],
    [`openssl pkcs12 -export -passout pass:${pw}`, 'openssl pkcs12 -export -passout pass:[REDACTED:password]'],
    [`echo "${pw}" | docker login -u ci --password-stdin`, 'echo "[REDACTED:password]" | docker login -u ci --password-stdin'],
    [`redis://:${pw.replace(/[#$!]/g, '')}@cache:6379/0`, 'redis://:[REDACTED:url-password]@cache:6379/0'],
    // A password named in prose may be short when it mixes letters with digits or symbols.
    ['The admin password is Tr0ub4' + 'dor&3, the wifi one differs.', 'The admin password is [REDACTED:password], the wifi one differs.'],
    ['auth token 9f8e7d6c' + '5b4a39281706f5e4d3c2b1a0 expired', 'auth token [REDACTED:token] expired'],
    // Values that start with '=' or '-', or with '*' like a YAML alias, are still values.
    ['POSTGRES_PASSWORD==b=0Ge' + 'U_.U4rZ', 'POSTGRES_PASSWORD=[REDACTED:password]'],
    ['User ID=sa;Password==mxCTd3' + 'kSxV5Q;Encrypt=True', 'User ID=sa;Password=[REDACTED:password];Encrypt=True'],
    ['Password=*MwO3e' + 'aytO;', 'Password=[REDACTED:password];'],
    ['./deploy.sh --client-secret -1Km-hGLLg' + '4Fj3tYn1LB --env prod', './deploy.sh --client-secret [REDACTED:secret] --env prod'],
  ];
  for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected, input);
});

test('references, types, switches, placeholders, lengths and prose are not secrets', () => {
  const kept = [
    'const apiKey = process.env.OPENAI_API_KEY;',
    'token: ${{ secrets.GITHUB_TOKEN }}',
    'password = os.getenv("DB_PASSWORD")',
    'DB_PASSWORD=$DB_PASSWORD and SECRET_KEY=${SECRET_KEY}',
    'username: string; password: string;',
    'max_tokens: 1024, token_type: bearer, password_min_length = 12, TOKEN_TTL=3600',
    'PASSWORD_FILE=/run/secrets/db and GOOGLE_APPLICATION_CREDENTIALS=/etc/gcp/key.json',
    'OPENAI_API_KEY=your-api-key-here, API_TOKEN=<your-token>, SECRET_KEY=xxxxxxxx, password: changeme',
    'auth: true, credentials: "include", secrets: inherit',
    'password: at least 12 characters. Password: must be rotated every 90 days.',
    'The password is stored in Vault; rotate the secret and the token yearly.',
    'The password must be changed; password_hash and password.length are columns.',
    'password: *db_password and token: &anchor',
    'if (user.password==input) return; if (token==null) throw',
    'mkdir -p build, git add -p, docker run -p 8080:80 nginx, ssh -p 2222 host',
    'mysql -u root -p app_db   # prompts for the password',
  ];
  for (const text of kept) assert.deepEqual(findSecrets(text), [], text);
});

test('the batch form finds in each text what the single form finds, secretlint-only shapes included', async () => {
  const { findSecretsThorough, findSecretsThoroughBatch } = await import('../../../../src/core/redact/redact');
  const texts = [
    'value SG.' + 'aB3dE6gH9jK2mN5pQ8sT1v' + '.' + 'Wx4yZ7bC0eF3hI6kL9nO2qR5tU8wX1zA4cD7fG0jM3p' + ' in the log',
    'nothing here',
    '',
    `DB_PASSWORD=${pw} and shpat_` + '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  ];
  const batch = await findSecretsThoroughBatch(texts);
  assert.deepEqual(batch, await Promise.all(texts.map((t) => findSecretsThorough(t))));
  assert.equal(batch[0][0].kind, 'sendgrid');
  assert.deepEqual(batch[3].map((f) => f.kind), ['password', 'shopify']);
});
