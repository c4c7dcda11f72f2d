/**
 * The shapes of secrets the redactor knows by themselves: vendor tokens with a fixed prefix or layout, key blocks,
 * credentials inside URLs and headers. Values recognised only by what names them (`DB_PASSWORD=...`, `-p secret`)
 * are in `secretContexts.ts`. Every quantifier is bounded or runs over a character class that cannot overlap the
 * next token, so a hostile string costs linear time (the texts come from repositories and models).
 */

/** One secret shape. `group` names the capture group holding the secret (0 or absent: the whole match; a list: the first that took part). */
export interface SecretPattern {
  kind: string;
  /** Must carry the `g` and `d` flags (`d`: group offsets). */
  re: RegExp;
  group?: number | number[];
  /** A last check on the captured value; false drops the match (e.g. a reference such as `$DB_PASSWORD`). */
  accept?: (value: string, text: string, start: number) => boolean;
}

/** A base64 blob that decodes to the start of a PEM private key (Kubernetes secrets, kubeconfig `client-key-data`). */
function isBase64PrivateKey(value: string): boolean {
  try {
    return /PRIVATE KEY/.test(Buffer.from(value.slice(0, 80), 'base64').toString('latin1'));
  } catch {
    return false;
  }
}

// Ordered by precision: when two shapes cover the same text, the earlier kind names it.
export const TOKEN_PATTERNS: SecretPattern[] = [
  // Key blocks: PEM (PKCS#1/#8, EC, DSA, OpenSSH, encrypted) and PGP, also with JSON-escaped newlines (service
  // account files). An unterminated block runs to the end of the text: better too much than half a key.
  { kind: 'private-key', re: /-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----|$)/dg },
  { kind: 'private-key', re: /PuTTY-User-Key-File-\d: [\s\S]*?(?:Private-MAC: [0-9a-f]+|$)/dg },
  { kind: 'private-key', re: /\bLS0tLS1CRUdJTi[A-Za-z0-9+/]{20,}={0,2}/dg, accept: isBase64PrivateKey },
  { kind: 'age-secret-key', re: /\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b/dg },
  { kind: 'anthropic-key', re: /\bsk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_-]{20,}/dg },
  { kind: 'openai-key', re: /\bsk-(?:proj-|svcacct-|admin-|None-|or-v1-)?[A-Za-z0-9_-]{20,}/dg },
  { kind: 'github-token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/dg },
  { kind: 'gitlab-token', re: /\b(?:glpat|gldt|glptt|glrt|glsoat|glft|glimt|glcbt|gloas|glagent)-[A-Za-z0-9_-]{20,}/dg },
  { kind: 'gitlab-token', re: /\bGR1348941[A-Za-z0-9_-]{20,}/dg },
  { kind: 'aws-access-key', re: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|APKA)[A-Z0-9]{16}\b/dg },
  {
    kind: 'aws-secret-key',
    re: /(?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key|SecretAccessKey)["']?\s*(?:[:=]|=>)\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/dgi,
    group: 1,
  },
  { kind: 'slack-token', re: /\bxox[abposre]-[A-Za-z0-9-]{10,}/dg },
  { kind: 'slack-token', re: /\bxapp-\d-[A-Z0-9]{6,}-\d{6,}-[a-f0-9]{20,}/dg },
  { kind: 'slack-webhook', re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]{10,}/dg },
  { kind: 'discord-webhook', re: /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d{5,}\/[A-Za-z0-9_-]{20,}/dg },
  { kind: 'teams-webhook', re: /https:\/\/[a-z0-9-]{1,63}\.webhook\.office\.com\/webhookb2\/[A-Za-z0-9@/_-]{20,}/dg },
  { kind: 'discord-bot-token', re: /\b[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}\b/dg },
  { kind: 'telegram-bot-token', re: /\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b/dg },
  { kind: 'google-api-key', re: /\bAIza[0-9A-Za-z_-]{33,40}(?![A-Za-z0-9_-])/dg },
  { kind: 'google-oauth', re: /\b(?:GOCSPX-[A-Za-z0-9_-]{20,}|ya29\.[A-Za-z0-9_-]{20,}|1\/\/0[A-Za-z0-9_-]{30,})/dg },
  { kind: 'stripe-key', re: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/dg },
  { kind: 'stripe-webhook-secret', re: /\bwhsec_[A-Za-z0-9+/=]{24,}/dg },
  { kind: 'twilio-key', re: /\b(?:AC|SK)[0-9a-f]{32}\b/dg },
  { kind: 'mailgun-key', re: /\bkey-[0-9a-f]{32}\b/dg },
  { kind: 'mailchimp-key', re: /\b[0-9a-f]{32}-us\d{1,2}\b/dg },
  { kind: 'brevo-key', re: /\bxkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}\b/dg },
  { kind: 'npm-token', re: /\bnpm_[A-Za-z0-9]{36}\b/dg },
  { kind: 'pypi-token', re: /\bpypi-[A-Za-z0-9_-]{50,}/dg },
  { kind: 'rubygems-key', re: /\brubygems_[0-9a-f]{48}\b/dg },
  { kind: 'docker-hub-token', re: /\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}/dg },
  { kind: 'huggingface-token', re: /\bhf_[A-Za-z0-9]{30,}\b/dg },
  { kind: 'groq-key', re: /\bgsk_[A-Za-z0-9]{40,}\b/dg },
  { kind: 'replicate-token', re: /\br8_[A-Za-z0-9]{37}\b/dg },
  { kind: 'perplexity-key', re: /\bpplx-[A-Za-z0-9]{40,}\b/dg },
  { kind: 'xai-key', re: /\bxai-[A-Za-z0-9]{60,}\b/dg },
  { kind: 'langsmith-key', re: /\blsv2_(?:pt|sk)_[0-9a-f]{32}_[0-9a-f]{10}\b/dg },
  { kind: 'pinecone-key', re: /\bpcsk_[A-Za-z0-9_]{40,}/dg },
  { kind: 'vault-token', re: /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/dg },
  { kind: 'databricks-token', re: /\bdapi[0-9a-f]{32}(?:-\d)?\b/dg },
  { kind: 'digitalocean-token', re: /\bdo[opr]_v1_[0-9a-f]{64}\b/dg },
  { kind: 'linear-key', re: /\blin_(?:api|oauth)_[A-Za-z0-9]{40}\b/dg },
  { kind: 'notion-token', re: /\b(?:secret_[A-Za-z0-9]{43}|ntn_[A-Za-z0-9]{40,})\b/dg },
  { kind: 'atlassian-token', re: /\bATATT3[A-Za-z0-9_=-]{60,}/dg },
  { kind: 'postman-key', re: /\bPMAK-[0-9a-f]{24}-[0-9a-f]{34}\b/dg },
  { kind: 'grafana-token', re: /\b(?:glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[0-9a-f]{8})/dg },
  { kind: 'newrelic-key', re: /\b(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32}|NRJS-[a-f0-9]{19})\b/dg },
  { kind: 'sentry-token', re: /\b(?:sntrys_[A-Za-z0-9+/=_-]{40,}|sntryu_[0-9a-f]{64})/dg },
  { kind: 'sentry-dsn', re: /https?:\/\/([0-9a-f]{32})(?::[0-9a-f]{32})?@[a-z0-9.-]{1,100}\/\d+/dg, group: 1 },
  { kind: 'supabase-token', re: /\bsbp_[0-9a-f]{40}\b/dg },
  { kind: 'doppler-token', re: /\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}\b/dg },
  { kind: 'terraform-token', re: /\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}/dg },
  { kind: 'pulumi-token', re: /\bpul-[0-9a-f]{40}\b/dg },
  { kind: 'tailscale-key', re: /\btskey-(?:auth|api|client|webhook|scim)-[A-Za-z0-9]{6,}-[A-Za-z0-9]{10,}/dg },
  { kind: 'figma-token', re: /\bfigd_[A-Za-z0-9_-]{38,}/dg },
  { kind: 'square-token', re: /\b(?:sq0(?:atp|csp)-[A-Za-z0-9_-]{22,43}|EAAA[A-Za-z0-9_-]{60})\b/dg },
  { kind: 'shippo-token', re: /\bshippo_(?:live|test)_[0-9a-f]{40}\b/dg },
  { kind: 'flutterwave-key', re: /\bFLW(?:SECK|PUBK)(?:_TEST)?-[0-9a-f]{32}-X\b/dg },
  { kind: 'dropbox-token', re: /\bsl\.[A-Za-z0-9_-]{130,}/dg },
  { kind: 'mapbox-token', re: /\bsk\.eyJ[A-Za-z0-9_-]{50,}\.[A-Za-z0-9_-]{20,}/dg },
  { kind: 'planetscale-token', re: /\bpscale_(?:pw|tkn|oauth)_[A-Za-z0-9_.-]{32,64}/dg },
  { kind: 'artifactory-token', re: /\b(?:AKCp[A-Za-z0-9]{69}|cmVmdGtu[A-Za-z0-9]{56})\b/dg },
  { kind: 'fly-token', re: /\b(?:fo1_[A-Za-z0-9_-]{43}|FlyV1 fm\d_[A-Za-z0-9+/=_-]{20,})/dg },
  { kind: 'heroku-key', re: /\bHRKU-[A-Za-z0-9_-]{60}\b/dg },
  { kind: 'azure-client-secret', re: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/dg },
  { kind: 'azure-storage-key', re: /\b(?:AccountKey|SharedAccessKey|SharedSecret)\s*=\s*([A-Za-z0-9+/]{20,}={0,2})/dgi, group: 1 },
  { kind: 'azure-sas', re: /[?&;]sig=([A-Za-z0-9%+/=]{20,})/dg, group: 1 },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/dg },
  { kind: 'password-hash', re: /\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}/dg },
  { kind: 'password-hash', re: /\$(?:apr1|1|5|6|y)\$[^$\s]{1,32}\$[./A-Za-z0-9]{22,90}/dg },
  { kind: 'password-hash', re: /\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{8,}\$[A-Za-z0-9+/]{16,}/dg },
  { kind: 'password-hash', re: /\bpbkdf2_sha256\$\d+\$[A-Za-z0-9+/=]{4,}\$[A-Za-z0-9+/=]{20,}/dg },
  // An HTTP authorization header, in any of the ways it is written (curl -H, fetch headers, raw requests).
  {
    kind: 'bearer',
    re: /(?:\bAuthorization|\bProxy-Authorization)["']?\s*[:=,]\s*["']?(?:Bearer|Basic|Token|Digest|Negotiate|Bot|token|bearer|basic|SSWS|GenieKey|ApiKey|Api-Key)[ :=]+([A-Za-z0-9._~+/=-]{8,})/dg,
    group: 1,
  },
  { kind: 'bearer', re: /\b(?:Bearer|Basic)\s+([A-Za-z0-9._~+/-]{20,}={0,2})/dg, group: 1 },
  // scheme://user:password@host, also with an empty user (redis://:password@host) and in JDBC/ODBC URLs.
  // The password runs to the last '@' before the host, so an unencoded '@' in it ("p@ss@db:5432") is covered too.
  { kind: 'url-password', re: /\b[a-z][a-z0-9+.-]{1,30}:\/\/[^\s:/@"'<>]{0,128}:([^\s/"'<>]{1,256}?)@(?=[A-Za-z0-9_.\[\]:-]{1,253}(?:[/?#\s"'<>),;]|$))/dgi, group: 1 },
  // A token written as the URL's user: https://<token>@github.com/org/repo.git
  { kind: 'url-token', re: /\b[a-z][a-z0-9+.-]{1,30}:\/\/([A-Za-z0-9_.~-]{20,128})@(?=[^\s@])/dgi, group: 1, accept: (v) => /\d/.test(v) && /[A-Za-z]/.test(v) },
];
