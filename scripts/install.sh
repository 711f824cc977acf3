#!/usr/bin/env bash
# Install os1 into .venv from the pinned constraints (needs Python 3.11+), after the
# Debian packages it needs outside Python (scripts/system-deps.sh).
# With --dev also the test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
"$PYTHON" - <<'PY' || { echo "os1 needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

bash scripts/system-deps.sh "${1:-}"

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
extra=""
[ "${1:-}" = "--dev" ] && extra="[dev]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  -c constraints.txt -e ".${extra}"
echo "os1 installed: $(.venv/bin/os1 --version)"
