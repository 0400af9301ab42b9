#!/usr/bin/env bash
# Demo: a fresh database with both add-ons and their demo data, then Odoo in
# the foreground on http://localhost:8069 (admin / admin). Ctrl-C stops it.
#
# Environment:
#   PYTHON             interpreter that imports Odoo 18.0 (default: python3)
#   QLIBRA_DEMO_DB     database to (re)create (default: qlibra_demo)
#   QLIBRA_DEMO_PORT   HTTP port (default: 8069)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. setup/common.sh

DB="${QLIBRA_DEMO_DB:-qlibra_demo}"
PORT="${QLIBRA_DEMO_PORT:-8069}"

require_odoo
require_postgres

say "Installing Python dependencies (requirements.txt)"
pip_install requirements.txt
ensure_xdg_runtime_dir
ADDONS_PATH="$(addons_path)"

say "Recreating database '$DB' with $ADDONS and demo data"
drop_db "$DB"
# Odoo 18 loads demo data unless --without-demo is given; the admin user's
# password in a new database is 'admin'.
"$PYTHON" -m odoo --addons-path="$ADDONS_PATH" -d "$DB" -i "$ADDONS" \
    --http-port "$PORT" --stop-after-init --log-level=warn

say "Open http://localhost:$PORT, log in as admin / admin, menu Client Profitability > Analysis"
exec "$PYTHON" -m odoo --addons-path="$ADDONS_PATH" -d "$DB" --http-port "$PORT"
