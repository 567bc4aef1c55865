#!/usr/bin/env bash
# One entry point for people and CI. Each command installs what it needs on first use,
# and nothing more:
#   quickstart  .venv with the package and its runtime dependencies only
#   test        + the pinned test tools (requirements/dev.txt), the npm packages
#               (Azurite, the VS Code JSON language service) and DataJoint 2.3.5 in
#               .venv-datajoint for side-by-side comparisons
#   bench       the same environments as test
# Every install is pinned by requirements/*.txt (regenerate: bash scripts/lock.sh), so a
# fresh machine resolves it in one pass. pip's own output goes to .venv/install.log and is
# shown only when a step fails.
# usage: bash scripts/dev.sh quickstart | test [pytest args...] | bench [args] | env
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv"
py="$venv/bin/python"
upstream="$root/.venv-datajoint"
log="$venv/install.log"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

say() { echo "[dev] $*" >&2; }

# run LABEL CMD...: one line for the step, the command's output to the log, and the log's
# tail if it fails.
run() {
  local label="$1"
  shift
  say "$label"
  if ! "$@" >>"$log" 2>&1; then
    say "failed: $label; the last lines of $log:"
    tail -n 30 "$log" >&2
    exit 1
  fi
}

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
digest() { cat "$@" | sha256sum | cut -d' ' -f1; }

runtime_env() {
  local stamp="$venv/.stamp-runtime" want
  want="$(digest pyproject.toml requirements/dev.txt)"
  if [ ! -x "$py" ]; then
    say "creating .venv"
    python3 -m venv "$venv"
  fi
  stamp_ok "$stamp" "$want" && return 0
  : >"$log"
  run "installing datajoint-storage and its runtime dependencies into .venv" \
    "$py" -m pip install -c requirements/dev.txt -e .
  echo "$want" >"$stamp"
}

test_env() {
  runtime_env
  local stamp="$venv/.stamp-test" want
  want="$(digest pyproject.toml requirements/dev.txt)"
  if ! stamp_ok "$stamp" "$want"; then
    run "installing the pinned test tools into .venv (first run only, about 60 s)" \
      "$py" -m pip install -r requirements/dev.txt
    echo "$want" >"$stamp"
  fi
  stamp="$root/node_modules/.stamp-npm"
  want="$(digest package.json package-lock.json)"
  if ! stamp_ok "$stamp" "$want"; then
    run "installing the npm packages (Azurite, the VS Code JSON language service) into node_modules" \
      npm ci --no-audit --no-fund --loglevel=error
    echo "$want" >"$stamp"
  fi
  stamp="$upstream/.stamp"
  want="$(digest requirements/datajoint.txt)"
  if ! stamp_ok "$stamp" "$want"; then
    [ -x "$upstream/bin/python" ] || run "creating .venv-datajoint" python3 -m venv "$upstream"
    run "installing DataJoint 2.3.5 into .venv-datajoint (for comparisons)" \
      "$upstream/bin/python" -m pip install -r requirements/datajoint.txt
    echo "$want" >"$stamp"
  fi
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  env) test_env ;;
  quickstart) runtime_env; exec "$py" examples/quickstart/run.py "$@" ;;
  test) test_env; exec "$py" -m pytest -p no:cacheprovider "$@" ;;
  bench) test_env; exec "$py" benchmarks/run.py "$@" ;;
  *) echo "usage: bash scripts/dev.sh quickstart | test [pytest args] | bench | env" >&2; exit 2 ;;
esac
