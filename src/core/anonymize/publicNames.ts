/**
 * Names that are general programming knowledge and so stay in an anonymized text: public developer sites, well-known
 * open-source organisations, generic account names. An over-redacted lesson is a lost lesson: "pin the version from
 * registry.npmjs.org" must survive, while "deploy to jenkins.acme.internal" must not.
 */

/** Registrable domains whose every host is run by the vendor itself (docs.github.com, pkg.go.dev, …). */
const PUBLIC_DOMAINS = `
github.com githubusercontent.com githubassets.com githubapp.com gitlab.com bitbucket.org codeberg.org
npmjs.com npmjs.org yarnpkg.com pnpm.io nodejs.org nodejs.dev python.org pypi.org pythonhosted.org pypa.io
rust-lang.org rustup.rs crates.io docs.rs golang.org go.dev google.com gstatic.com googlesource.com withgoogle.com
microsoft.com microsoftonline.com msdn.com live.com office.com windows.com typescriptlang.org
amazon.com aws.dev docker.com docker.io dockerhub.com quay.io gcr.io ghcr.io mcr.microsoft.com k8s.io kubernetes.io
helm.sh terraform.io hashicorp.com openai.com anthropic.com claude.ai huggingface.co hf.co mozilla.org mozilla.net
w3.org whatwg.org ietf.org rfc-editor.org iana.org json-schema.org schema.org yaml.org json.org wikipedia.org
wikimedia.org stackoverflow.com stackexchange.com superuser.com serverfault.com askubuntu.com apache.org eclipse.org
oracle.com java.com openjdk.org maven.org gradle.org jetbrains.com kotlinlang.org swift.org apple.com android.com
debian.org ubuntu.com canonical.com launchpad.net archlinux.org fedoraproject.org redhat.com centos.org
alpinelinux.org kernel.org gnu.org freebsd.org brew.sh deno.land deno.com bun.sh jsdelivr.net unpkg.com
cloudflare.com letsencrypt.org reactjs.org react.dev vuejs.org angular.io angular.dev svelte.dev nextjs.org vercel.com
netlify.com heroku.com digitalocean.com linode.com postgresql.org mysql.com mariadb.org mongodb.com mongodb.org redis.io
sqlite.org elastic.co grafana.com prometheus.io nginx.org nginx.com eslint.org prettier.io jestjs.io vitest.dev
playwright.dev selenium.dev babeljs.io vitejs.dev vite.dev rollupjs.org tailwindcss.com getbootstrap.com jquery.com
lodash.com expressjs.com nestjs.com djangoproject.com palletsprojects.com tiangolo.com pytorch.org tensorflow.org
numpy.org pydata.org scipy.org scikit-learn.org jupyter.org anaconda.com anaconda.org conda.io kaggle.com discord.com
twitter.com x.com youtube.com reddit.com dev.to medium.com shields.io codecov.io circleci.com travis-ci.com
travis-ci.org appveyor.com semver.org keepachangelog.com conventionalcommits.org spdx.org opensource.org
creativecommons.org choosealicense.com gravatar.com datadoghq.com newrelic.com
notion.so figma.com stripe.com twilio.com sendgrid.com openapis.org swagger.io graphql.org grpc.io
protobuf.dev nuget.org dotnet.microsoft.com visualstudio.microsoft.com rubygems.org ruby-lang.org rubyonrails.org
php.net getcomposer.org packagist.org laravel.com symfony.com perl.org cpan.org haskell.org hackage.haskell.org
elixir-lang.org hex.pm erlang.org ocaml.org julialang.org r-project.org cran.r-project.org llvm.org gcc.gnu.org
cmake.org isocpp.org cppreference.com vcpkg.io conan.io bazel.build chromium.org chrome.com firefox.com webkit.org
caniuse.com mdn.dev web.dev developer.chrome.com githubstatus.com npmjs.help pip.pypa.io readthedocs.org
readthedocs.com sphinx-doc.org mkdocs.org docusaurus.io storybook.js.org jsr.io esm.sh skypack.dev cdnjs.com
fontawesome.com fonts.google.com unicode.org iso.org owasp.org cve.org mitre.org nist.gov first.org snyk.io
socket.dev opentelemetry.io cncf.io linuxfoundation.org istio.io envoyproxy.io containerd.io opencontainers.org
podman.io buildah.io ansible.com puppet.com chef.io saltproject.io jenkins.io gitlab.io travis-ci.io ngrok.com
localtest.me nip.io sslip.io httpbin.org jsonplaceholder.typicode.com postman.com insomnia.rest curl.se openssl.org
openssh.com git-scm.com mercurial-scm.org subversion.apache.org sourceforge.net
`.split(/\s+/).filter(Boolean);

/** Hosts that are public although their registrable domain also serves tenants. */
const PUBLIC_HOSTS = `
localhost localhost.localdomain ip6-localhost example.com www.example.com example.org www.example.org example.net
www.example.net s3.amazonaws.com aws.amazon.com console.aws.amazon.com docs.aws.amazon.com storage.googleapis.com
www.googleapis.com oauth2.googleapis.com fonts.googleapis.com ajax.googleapis.com accounts.google.com
slack.com app.slack.com api.slack.com hooks.slack.com sentry.io pagerduty.com trello.com notion.so www.notion.so
atlassian.com www.atlassian.com developer.atlassian.com code.visualstudio.com marketplace.visualstudio.com update.code.visualstudio.com
dev.azure.com ssh.dev.azure.com login.microsoftonline.com graph.microsoft.com management.azure.com webpack.js.org
esbuild.github.io pages.github.com docs.sentry.io host.docker.internal gateway.docker.internal kubernetes.default
kubernetes.default.svc kubernetes.default.svc.cluster.local metadata.google.internal instance-data.ec2.internal
registry.npmjs.org registry.yarnpkg.com files.pythonhosted.org upload.pypi.org test.pypi.org index.docker.io
registry-1.docker.io auth.docker.io production.cloudflare.docker.com public.ecr.aws registry.k8s.io
raw.githubusercontent.com objects.githubusercontent.com codeload.github.com api.github.com uploads.github.com
azure.com www.azure.com portal.azure.com status.azure.com core.windows.net blob.core.windows.net vault.azure.net database.windows.net servicebus.windows.net azurecr.io
`.split(/\s+/).filter(Boolean);

const publicDomainSet = new Set(PUBLIC_DOMAINS);
const publicHostSet = new Set(PUBLIC_HOSTS);

/** `service.amazonaws.com` and `service.region.amazonaws.com` are AWS's own endpoints; anything longer is a tenant. */
const AWS_ENDPOINT = /^(?:[a-z0-9-]{2,30}\.)?(?:[a-z]{2}(?:-gov)?-[a-z]+-\d\.)?amazonaws\.com(?:\.cn)?$/;

/**
 * True when `host` (lower case) is a public developer site that may stay in the text. `tenant` says the host sits
 * under a multi-tenant suffix (acme.github.io, mybucket.s3.amazonaws.com), which is never public.
 */
export function isPublicHost(host: string, tenant: boolean): boolean {
  const h = host.replace(/\.$/, '');
  if (publicHostSet.has(h)) return true;
  if (AWS_ENDPOINT.test(h)) return true;
  // Google's own APIs are one label under googleapis.com; tenants (bucket.storage.googleapis.com) have more.
  if (/^[a-z0-9-]{2,40}\.googleapis\.com$/.test(h)) return true;
  if (tenant) return false;
  const labels = h.split('.');
  for (let i = 0; i <= labels.length - 2; i++) {
    if (publicDomainSet.has(labels.slice(i).join('.'))) return true;
  }
  return false;
}

/**
 * Well-known open-source organisations and users on GitHub, GitLab and registries: `github.com/nodejs/node` is a
 * reference, not a private repository. Lower case.
 */
export const PUBLIC_ORGS = new Set(`
microsoft google googleapis googlecloudplatform facebook meta facebookresearch apple amazon aws awslabs aws-samples
azure azure-samples nodejs npm python pypa psf rust-lang golang kubernetes kubernetes-sigs docker moby hashicorp
openai anthropics huggingface pytorch tensorflow keras-team numpy pandas-dev scipy scikit-learn jupyter django pallets
tiangolo encode vercel vuejs angular sveltejs reactjs remix-run withastro vitejs webpack babel evanw eslint prettier
jestjs vitest-dev playwright seleniumhq mozilla apache eclipse spring-projects jetbrains kotlin swiftlang flutter
dart-lang rails ruby elixir-lang erlang haskell ocaml llvm gcc-mirror torvalds git github actions cli dependabot
renovatebot nvm-sh pyenv asdf-vm homebrew ohmyzsh neovim vim tmux curl openssl nginx redis mongodb postgres mysql
sqlite elastic grafana prometheus helm argoproj fluxcd istio envoyproxy containerd opencontainers cncf open-telemetry
getsentry datadog stripe twilio slackapi discord tailwindlabs twbs jquery lodash expressjs nestjs typeorm prisma
sequelize automattic wordpress laravel symfony dotnet powershell microsoftdocs secretlint denoland oven-sh
microsoft-vscode vscode-extension-samples golangci astral-sh python-poetry pre-commit psf-black pylint-dev
pytest-dev tox-dev sphinx-doc mkdocs squidfunk facebookincubator yarnpkg pnpm lerna nrwl changesets semantic-release
conventional-changelog typescript-eslint typicode axios sindresorhus tj gin-gonic spf13 stretchr sirupsen uber-go
grpc protocolbuffers bazelbuild google-research deepmind ggerganov ollama vllm-project langchain-ai run-llama
library bitnami distroless
`.split(/\s+/).filter(Boolean));

/** Account names that belong to no one (system and CI users, placeholders). Lower case. */
export const GENERIC_USERS = new Set(`
root admin administrator user users guest nobody daemon www-data www nginx apache postgres postgresql mysql redis mongo
mongodb git ubuntu debian centos ec2-user azureuser vagrant docker node app runner jenkins gitlab-runner circleci
travis builder build ci deploy deployer default test tester sa system service anonymous staff wheel sudo me you
yourname username your-username your_username yourusername your-user your_user myuser myname dev developer bin sys
nogroup adm operator postmaster pi core fedora alpine arch opc bitnami vscode codespace codespaces gitpod coder
runneradmin vsts cloudshell-user oracle elastic kafka zookeeper rabbitmq grafana prometheus ftp mail news uucp proxy
backup list irc gnats systemd-network messagebus sshd ntp lp sync games man shared public all default-user
`.split(/\s+/).filter(Boolean));

/**
 * Common words that are also names, repository names or user names ("Will", "Grant", "api", "docs"): a name learned
 * elsewhere in a submission is not hunted for in the rest of the text when it is one of these.
 */
export const COMMON_WORDS = new Set(`
a an the and or but if of to in on at by for with from as is it be we you he she they this that these those not no yes
all any some one two new old main master dev develop release test tests app apps api web www site docs doc wiki blog
home user users admin root src lib bin core common utils util tools tool scripts script config configs build dist
server client backend frontend service services infra ops platform data db database cache auth login frontend ui ux
cli sdk demo example examples sample samples template templates project projects repo repos team teams org code
will grant mark bill rose may june april august summer autumn winter spring frank earl dean page bob art max chase
hunter mason cook baker king young white black green brown gray grey hill wood stone rivers swift rust ruby julia
crystal jasmine jest mocha chai django flask rails express victor amber ivy iris hazel olive pearl faith hope joy
grace sunny sky storm rocky dusty buck chuck pat sue don ray guy gene lance miles penny rich sterling wade drew
dawn eve carol holly holly noel angel ginger violet jade ruby scarlet robin jay wren lark finch crow raven
`.split(/\s+/).filter(Boolean));

/** Top-level labels that, in bare text, are far more often file extensions or code members than domains. */
export const CODE_LIKE_TLDS = new Set(`
py md sh rs pl cc so ps zip mov in is it me to at by do no as be am ms tv fm ly gg ws im cx mk ml mm st gd re cm tf
ac mo bz cr pm sc sv nu pr id name email run host data map link page new now top style group store click show watch
events jobs live one zone tools build hot date read call move save search select java code play next fit global bar
foo boo moe fun club art fans menu list video audio photo phone mobile case mode law sale shop market buy deals direct
express final gift how meme ninja pics plus rest review social space studio tips today trade training wiki win work
`.split(/\s+/).filter(Boolean));

/** Top-level labels common for real hosts but also seen as members (`this.app`): bare, they need more evidence. */
export const WEAK_TLDS = new Set(['ai', 'app', 'dev', 'cloud', 'site', 'online', 'info', 'tech', 'team', 'web', 'world', 'support', 'help', 'network', 'systems', 'works', 'software', 'solutions', 'engineering', 'digital', 'services', 'company', 'tv', 'me', 'to', 'is', 'it', 'in', 'co']);

/** Suffixes of private networks (RFC 6762, RFC 8375, de-facto corporate use): always a private host. */
export const INTERNAL_SUFFIXES = new Set(['internal', 'local', 'lan', 'corp', 'intranet', 'intra', 'home.arpa', 'localdomain', 'private', 'priv', 'test', 'example', 'invalid', 'home', 'office', 'int', 'cluster.local', 'svc', 'consul', 'k8s']);
