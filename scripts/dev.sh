#!/usr/bin/env bash
# One entry point for people and CI: builds the project-local environment on first use
# (a .venv with the package and its test tools, plus the Azurite emulator from npm),
# then runs the quickstart or the whole test suite.
# usage: bash scripts/dev.sh quickstart | test [pytest args...] | bench | env
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv"
py="$venv/bin/python"

bootstrap() {
  local stamp="$venv/.installed" want
  want="$(cat pyproject.toml package.json package-lock.json | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$py" ]; then
    echo "[dev] creating $venv" >&2
    python3 -m venv "$venv"
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "[dev] installing datajoint-storage and its test tools into .venv" >&2
    "$py" -m pip install -q --disable-pip-version-check --upgrade pip >&2
    "$py" -m pip install -q --disable-pip-version-check -e ".[all,dev]" >&2
    echo "[dev] installing the Azurite emulator from npm into node_modules" >&2
    npm ci --silent --no-audit --no-fund >&2
    echo "$want" > "$stamp"
  fi
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  env) bootstrap ;;
  quickstart) bootstrap; exec "$py" examples/quickstart/run.py "$@" ;;
  test) bootstrap; exec "$py" -m pytest -p no:cacheprovider "$@" ;;
  bench) bootstrap; exec "$py" benchmarks/run.py "$@" ;;
  *) echo "usage: bash scripts/dev.sh quickstart | test | bench | env" >&2; exit 2 ;;
esac
