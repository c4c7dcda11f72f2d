#!/usr/bin/env bash
# Runs the trainer's pytest suite with Debian's python3 (where python3-torch lives), whatever python3 is first on PATH.
set -euo pipefail
cd "$(dirname "$0")/../trainer"
PY=${OEL_PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "test-trainer: $PY cannot import torch. Install Debian's python3-torch (see README) or set OEL_PYTHON." >&2
  exit 1
fi
exec "$PY" -m pytest -q -p no:cacheprovider tests "$@"
