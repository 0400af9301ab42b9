#!/usr/bin/env bash
# Lint, then install both add-ons with demo data into a fresh database, run
# their Odoo tests and the end-to-end tests in tests/ (pytest-odoo), check the
# Odoo log for warnings, print "N passed, N failed" last. See README.md.
# On a new machine it first installs what is missing (see setup/common.sh):
# Debian packages (as root), PostgreSQL, a virtualenv with Odoo 18.0.
#
# Environment (and those of setup/common.sh):
#   QLIBRA_TEST_DB   database name (default: qlibra_test_<time>_<pid>)
#   QLIBRA_KEEP_DB   1 keeps the test database (default: dropped at the end)
#   QLIBRA_SKIP_LINT 1 skips the lint step (quick local runs only)
#   QLIBRA_SKIP_ODOO_SUITES 1 skips Odoo's own suites
#   QLIBRA_SKIP_UPGRADE 1 skips the upgrade check
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. setup/common.sh

system_packages_test
require_postgres
ensure_python
ensure_xdg_runtime_dir

exec "$PYTHON" setup/run_tests.py --addons "$ADDONS" --addons-path "$(addons_path)"
