#!/usr/bin/env bash
# The test command: README.md ("The two commands") says what it runs, and
# lists its environment variables.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. setup/common.sh

system_packages_test
require_postgres
ensure_python
ensure_xdg_runtime_dir

exec "$PYTHON" setup/run_tests.py --addons "$ADDONS" --addons-path "$(addons_path)"
