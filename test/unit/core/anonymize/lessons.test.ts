/**
 * Ordinary programming lessons, the bulk of what a team shares, must come out of the anonymizer unchanged: an
 * over-redacted lesson is a lost lesson. Written as lessons are (commands, versions, URLs of public tools, code), not
 * from the detectors; "address already in use" once became "address <host> in use".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anonymizeTexts } from '../../../../src/core/anonymize/anonymize';

const LESSONS = [
  'Run `npm ci` then `npm run build`; the output goes to dist/extension.cjs.',
  'In Python use `with open(path, "r") as f:` and never `eval(input())`.',
  'The React hook useEffect(() => {}, []) runs once; add deps to rerun.',
  'Set `git config --global pull.rebase true` to avoid merge commits.',
  'Use `docker compose up -d db` and wait for "database system is ready to accept connections".',
  'When pytest fails with ImportError, check PYTHONPATH and the rootdir in pytest.ini.',
  'Kubernetes readiness probes hit /healthz every 10s; liveness every 30s.',
  'The API returns 429 Too Many Requests; honour the Retry-After header.',
  'For Postgres, `SELECT pg_size_pretty(pg_database_size(current_database()));` shows the size.',
  'Upgrade to Node 20 LTS; Node 18 reached end of life in April 2025.',
  'Use `curl -sSfL https://get.helm.sh/helm-v3.14.0-linux-amd64.tar.gz | tar xz`.',
  'Tokens are counted with tiktoken; gpt-4o uses o200k_base.',
  'The auth middleware reads req.headers.authorization and verifies the JWT with the public key.',
  'Store secrets in AWS Secrets Manager and read them with the SDK at startup.',
  'Use `ssh-keygen -t ed25519 -C "ci"` to create a deploy key.',
  'Our CI runs on ubuntu-latest with actions/setup-node@v4 and node-version: 20.x.',
  'The regex ^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$ validates most emails.',
  'Rust: prefer `?` over unwrap(); std::fs::read_to_string returns io::Result<String>.',
  'In Go, `go test ./... -race -count=1` disables the test cache.',
  'Terraform state lives in an S3 backend with DynamoDB locking.',
  'Error: listen EADDRINUSE: address already in use :::3000',
  'Webpack 5 removed Node polyfills; add `resolve.fallback` for crypto.',
  'The password hashing cost is 12 rounds of bcrypt; argon2id is preferred for new code.',
  'Vite serves on http://localhost:5173 and proxies /api to http://127.0.0.1:8000.',
  'Fix: set `TZ=UTC` in the test environment so snapshots do not depend on the runner.',
  'Use `kubectl rollout restart deployment/api -n default` after changing the ConfigMap.',
  'The JSON schema requires "name", "version" and "engines.vscode".',
  'Python 3.12 deprecates datetime.utcnow(); use datetime.now(timezone.utc).',
  'Java: Optional.ofNullable(user).map(User::getEmail).orElse("")',
  'The OAuth flow: redirect to /authorize, exchange the code at /token, refresh with the refresh_token grant.',
  'Use Redis SETNX with an expiry for locks, or Redlock across nodes.',
  'macOS: brew install --cask visual-studio-code; Windows: winget install Microsoft.VisualStudioCode',
  'HTTP/2 multiplexes streams; gRPC requires it.',
  'The CSV importer chokes on UTF-16; convert with iconv -f UTF-16 -t UTF-8.',
  'Sentry captures unhandled rejections; call Sentry.init({ dsn: process.env.SENTRY_DSN }).',
  'Jest: use jest.mock("axios") and mockResolvedValue for async calls.',
  'The migration 0042_add_user_index.py must run before 0043.',
  'Prettier and ESLint conflict on trailing commas; use eslint-config-prettier.',
  'Keep the lockfile: package-lock.json pins integrity hashes for every tarball.',
  'Use `openssl rand -hex 32` to generate a session secret.',
];

test('ordinary programming lessons pass through unchanged', async () => {
  const { texts } = await anonymizeTexts(LESSONS);
  const changed = LESSONS.map((t, i) => [t, texts[i]]).filter(([a, b]) => a !== b);
  assert.deepEqual(changed, []);
});
