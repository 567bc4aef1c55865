#!/usr/bin/env bash
# Regenerate the pinned development environment: requirements/dev.txt (the package with
# every extra and its test tools) and requirements/datajoint.txt (DataJoint 2.3.5 for
# comparisons). Both are uv "universal" locks: one file that resolves on every Python the
# package supports (3.10+), installed later by plain pip in one pass. The package's own
# dependency ranges in pyproject.toml stay open; only these files pin.
# usage: bash scripts/lock.sh [--upgrade]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tool="$(mktemp -d)"
trap 'rm -rf "$tool"' EXIT
python3 -m venv "$tool"
"$tool/bin/pip" install -q --disable-pip-version-check uv
uv=("$tool/bin/uv" pip compile --universal --python-version 3.10 --quiet "$@")
"${uv[@]}" pyproject.toml --extra all --extra dev -o requirements/dev.txt
"${uv[@]}" requirements/datajoint.in -o requirements/datajoint.txt
echo "wrote requirements/dev.txt and requirements/datajoint.txt"
