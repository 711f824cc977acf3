#!/usr/bin/env bash
# Install os1 with its test tools, the default model, and run lint, types and every test.
# Extra arguments go to pytest (e.g. `scripts/test.sh -m "not real_model"`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh --dev
# Postgres-backed tests need the local server; start it if this machine has one stopped.
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi
# The server's relay tests need the local Redis; start it if this machine has one stopped.
if command -v redis-cli >/dev/null && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
fi
.venv/bin/os1 models install
.venv/bin/ruff format --check src tests bench
.venv/bin/ruff check src tests bench
.venv/bin/mypy
.venv/bin/python -m pytest -q "$@"
