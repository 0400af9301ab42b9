#!/usr/bin/env bash
# Lint, then install both add-ons with demo data into a fresh database, run
# their Odoo tests and the end-to-end tests in tests/ (pytest-odoo), check the
# Odoo log for warnings, print "N passed, N failed" last. See README.md.
#
# Environment:
#   PYTHON           interpreter that imports Odoo 18.0 (default: python3)
#   QLIBRA_TEST_DB   database name (default: qlibra_test_<time>_<pid>)
#   QLIBRA_KEEP_DB   1 keeps the test database (default: dropped at the end)
#   QLIBRA_SKIP_LINT 1 skips the lint step (quick local runs only)
#   QLIBRA_SKIP_ODOO_SUITES 1 skips Odoo's own hr_timesheet/project suites
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. setup/common.sh

require_odoo
require_postgres

echo "Installing Python dependencies (requirements.txt, test-requirements.txt)"
pip_install requirements.txt test-requirements.txt
ensure_chromium
ensure_xdg_runtime_dir

exec "$PYTHON" setup/run_tests.py --addons "$ADDONS" --addons-path "$(addons_path)"
