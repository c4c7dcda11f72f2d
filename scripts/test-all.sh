#!/usr/bin/env bash
# Runs every test of the project, in the order that fails fastest: static checks, unit tests, the trainer's pytest
# suite, then the packaged extension in a real VS Code (code-server) driven by chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n=== %s ===\n' "$1"; }

stage "layers";      npm run --silent check:layers
stage "typecheck";   npm run --silent typecheck
stage "lint";        npm run --silent lint
stage "build";       npm run --silent build
stage "unit";        npm run --silent test:unit
stage "trainer";     npm run --silent test:trainer
stage "package";     npm run --silent package
stage "code-server"; node scripts/ensure-code-server.mjs   # real VS Code for the e2e stage (installs once into .vscode-test/)
stage "e2e";         npm run --silent test:e2e
printf '\nall test stages passed\n'
