#!/usr/bin/env bash
# Installs and starts the whole product on this machine, from a fresh checkout:
#   - system packages (scripts/install-system-deps.sh) and npm dependencies (npm ci, when node_modules is missing),
#   - builds and packages the extension (dist/oel-agent.vsix) and the `oel` CLI (dist/cli.cjs),
#   - installs code-server (a real VS Code in the browser) into .vscode-test/ (scripts/ensure-code-server.mjs),
#   - prepares .oel-demo/: a copy of the sample workspace and a tiny model for the consolidation server,
#   - starts the consolidation server on 127.0.0.1:${OEL_SERVER_PORT:-8787} (data in .oel-demo/server) and its team
#     dashboard at the same address, with an admin token for it kept in .oel-demo/dashboard-admin-token (mode 0600),
#   - installs the VSIX and serves VS Code with the workspace on http://127.0.0.1:${PORT:-8080}/.
# Ctrl+C (or SIGTERM) stops everything it started.
#
# Environment: PORT (code-server, default 8080), OEL_SERVER_PORT (default 8787), OEL_VSIX (use this VSIX instead of
# packaging one), OEL_PROVIDER_BASE_URL / OEL_PROVIDER_MODEL (written into the demo's VS Code settings when given;
# without them the demo runs the embedded llama.cpp provider on a tiny random GGUF, which only proves the wiring),
# OEL_SKIP_SYSTEM_DEPS=1 (skip apt), OEL_DEMO_DIR (the demo folder, default .oel-demo; test/e2e/startProduct.test.ts
# uses its own, so a developer's demo is left alone).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PORT=${PORT:-8080}
SERVER_PORT=${OEL_SERVER_PORT:-8787}
DEMO=$(mkdir -p "${OEL_DEMO_DIR:-$ROOT/.oel-demo}" && cd "${OEL_DEMO_DIR:-$ROOT/.oel-demo}" && pwd)
PYTHON=/usr/bin/python3; [ -x "$PYTHON" ] || PYTHON=python3

step() { printf '\n==> %s\n' "$*"; }
pids=()
cleanup() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo; echo "stopping (pids ${pids[*]})"
    for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
      [ $alive -eq 0 ] && break; sleep 0.5
    done
    for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_http() { # url seconds pid
  local url=$1 secs=$2 pid=$3
  for _ in $(seq 1 $((secs * 4))); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.25
  done
  return 1
}

if [ "${OEL_SKIP_SYSTEM_DEPS:-}" != 1 ]; then step "system packages"; bash scripts/install-system-deps.sh; fi

if [ ! -d node_modules ]; then step "npm ci"; npm ci --no-audit --no-fund; fi

step "build"
if [ -n "${OEL_VSIX:-}" ] && [ -f dist/cli.cjs ]; then
  echo "using the given VSIX and the built dist/cli.cjs"
elif ! npm run --silent build; then
  echo "full build failed; bundling the CLI alone"
  npx esbuild src/cli/main.ts --bundle --platform=node --format=cjs --target=node20 --outfile=dist/cli.cjs '--banner:js=#!/usr/bin/env node'
fi
if [ -n "${OEL_VSIX:-}" ]; then
  VSIX=$(readlink -f "$OEL_VSIX")
else
  step "package the extension"
  npm run --silent package
  VSIX="$ROOT/dist/oel-agent.vsix"
fi
[ -f "$VSIX" ] || { echo "no VSIX at $VSIX" >&2; exit 1; }

step "code-server"
node scripts/ensure-code-server.mjs
NODE24=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(".vscode-test/code-server.json","utf8")).node)')
CS_ENTRY=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(".vscode-test/code-server.json","utf8")).entry)')

step "demo folder $DEMO"
mkdir -p "$DEMO"
if [ ! -d "$DEMO/workspace" ]; then
  cp -r test/fixtures/sample-workspace "$DEMO/workspace"
  # Its own repository: VS Code then does not ask about "a git repository found in the parent folders" (this
  # checkout), and "edits still standing" has a history to be measured against.
  git -C "$DEMO/workspace" init -q && git -C "$DEMO/workspace" add -A &&
    git -C "$DEMO/workspace" -c user.name="OEL demo" -c user.email="demo@localhost" commit -qm "Sample workspace" ||
    echo "workspace: git is not available; the demo workspace is not a repository"
  echo "workspace: copied the sample workspace"
fi
if [ ! -f "$DEMO/model/config.json" ]; then
  echo "model: creating a tiny model (the server needs a base model; use a real one with --model in production)"
  PYTHONPATH="$ROOT/trainer" "$PYTHON" -m oel_trainer init-tiny "$DEMO/model" --arch qwen2 >/dev/null
fi
# Without a model server the demo runs the agent on the embedded llama.cpp runtime with this tiny model as GGUF: its
# words are random noise, but the whole path (tokens, streaming, Stop, adapters) is real.
if [ -z "${OEL_PROVIDER_BASE_URL:-}" ] && [ ! -f "$DEMO/model.gguf" ]; then
  echo "model: exporting the tiny model as GGUF for the embedded llama.cpp provider"
  PYTHONPATH="$ROOT/trainer" "$PYTHON" -m oel_trainer export-gguf --model "$DEMO/model" --out "$DEMO/model.gguf" >/dev/null
fi

step "consolidation server on 127.0.0.1:$SERVER_PORT"
mkdir -p "$DEMO/server"
: >"$DEMO/server.log"
setsid node dist/cli.cjs server --model "$DEMO/model" --data "$DEMO/server" --host 127.0.0.1 --port "$SERVER_PORT" \
  --python "$PYTHON" --trainer-path "$ROOT/trainer" >>"$DEMO/server.log" 2>&1 &
pids+=($!); SERVER_PID=$!
if ! wait_http "http://127.0.0.1:$SERVER_PORT/healthz" 60 "$SERVER_PID"; then
  echo "the consolidation server did not start; its log:" >&2; cat "$DEMO/server.log" >&2; exit 1
fi
cat "$DEMO/server.log"
if ! grep -q 'bootstrap admin token' "$DEMO/server.log"; then
  echo "(the bootstrap admin token was printed on the first start only; create another with:"
  echo "   node dist/cli.cjs server admin token create --team default --role admin --data $DEMO/server)"
fi

# The dashboard's sign-in needs an admin token. The bootstrap one is printed on the first start only, so the demo keeps
# its own in a private file and makes a new one when that is missing or was revoked.
ADMIN_TOKEN_FILE="$DEMO/dashboard-admin-token"
admin_token_ok() {
  [ -s "$ADMIN_TOKEN_FILE" ] && curl -fsS -o /dev/null --max-time 5 -H "authorization: Bearer $(cat "$ADMIN_TOKEN_FILE")" \
    "http://127.0.0.1:$SERVER_PORT/v1/tokens" 2>/dev/null
}
if ! admin_token_ok; then
  ( umask 077
    node dist/cli.cjs server admin token create --team default --role admin --member dashboard-admin --data "$DEMO/server" \
      | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).token))' >"$ADMIN_TOKEN_FILE" )
  admin_token_ok || { echo "could not create an admin token for the dashboard" >&2; exit 1; }
fi
DASHBOARD_TOKEN=$(cat "$ADMIN_TOKEN_FILE")

step "install the extension into code-server"
mkdir -p "$DEMO/extensions" "$DEMO/user-data/User" "$DEMO/code-server-config"
export XDG_CONFIG_HOME="$DEMO/code-server-config" XDG_DATA_HOME="$DEMO/code-server-config"
"$NODE24" "$CS_ENTRY" --install-extension "$VSIX" --force --extensions-dir "$DEMO/extensions" --user-data-dir "$DEMO/user-data"
if [ ! -f "$DEMO/user-data/User/settings.json" ]; then
  BASE_URL=${OEL_PROVIDER_BASE_URL:-} MODEL=${OEL_PROVIDER_MODEL:-} GGUF="$DEMO/model.gguf" node -e '
    // One agent in sight: VS Code'"'"'s built-in Chat (and its secondary side bar) stays hidden in the demo.
    const s = { "security.workspace.trust.enabled": false, "workbench.startupEditor": "none", "telemetry.telemetryLevel": "off",
      "chat.disableAIFeatures": true, "workbench.secondarySideBar.defaultVisibility": "hidden" };
    if (process.env.BASE_URL) s["oel.provider.baseUrl"] = process.env.BASE_URL;
    if (process.env.MODEL) s["oel.provider.model"] = process.env.MODEL;
    // No server given: the embedded runtime on the tiny GGUF is the default provider, so the first task runs.
    if (!process.env.BASE_URL) Object.assign(s, { "oel.provider.kind": "llamacpp", "oel.llamacpp.modelPath": process.env.GGUF });
    require("fs").writeFileSync(process.argv[1], JSON.stringify(s, null, 2) + "\n");' "$DEMO/user-data/User/settings.json"
fi

step "VS Code (code-server) on 127.0.0.1:$PORT"
setsid "$NODE24" "$CS_ENTRY" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check \
  --extensions-dir "$DEMO/extensions" --user-data-dir "$DEMO/user-data" "$DEMO/workspace" >"$DEMO/code-server.log" 2>&1 &
pids+=($!); CS_PID=$!
if ! wait_http "http://127.0.0.1:$PORT/healthz" 90 "$CS_PID"; then
  echo "code-server did not start; its log:" >&2; cat "$DEMO/code-server.log" >&2; exit 1
fi

cat <<EOF

OEL Agent is running.
  VS Code:               http://127.0.0.1:$PORT/?folder=$DEMO/workspace
  team dashboard:        http://127.0.0.1:$SERVER_PORT/  (sign in with the admin token below)
  dashboard admin token: $DASHBOARD_TOKEN  (also in $ADMIN_TOKEN_FILE)
  consolidation server:  http://127.0.0.1:$SERVER_PORT  (log: $DEMO/server.log)
  code-server log:       $DEMO/code-server.log
$( [ -z "${OEL_PROVIDER_BASE_URL:-}" ] && echo "  model:                 Local (llama.cpp) on $DEMO/model.gguf, a tiny RANDOM model: it only proves the wiring
                         (its answers are noise). For real answers set oel.llamacpp.modelPath to a real GGUF
                         (e.g. a Qwen2.5-Coder Instruct GGUF), or restart with OEL_PROVIDER_BASE_URL/OEL_PROVIDER_MODEL." )
Press Ctrl+C to stop.
EOF
wait "$CS_PID" "$SERVER_PID"
