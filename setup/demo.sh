#!/usr/bin/env bash
# Demo: a fresh database with the add-ons of ADDONS (setup/common.sh) and
# their demo data, then Odoo in the foreground on http://localhost:8069
# (admin / admin; a client's portal: portal.client / portal). Ctrl-C stops it.
# On a new machine it first installs what is missing (see setup/common.sh):
# Debian packages (as root), PostgreSQL, a virtualenv with Odoo 18.0.
#
# Environment (and those of setup/common.sh):
#   QLIBRA_DEMO_DB     database to (re)create (default: qlibra_demo)
#   QLIBRA_DEMO_PORT   HTTP port (default: 8069)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. setup/common.sh

DB="${QLIBRA_DEMO_DB:-qlibra_demo}"
PORT="${QLIBRA_DEMO_PORT:-8069}"
trap 'say ""; say "Stopped."; exit 130' INT

system_packages_demo
require_postgres
ensure_python
ensure_xdg_runtime_dir
ADDONS_PATH="$(addons_path)"

step "Recreating database '$DB' with $ADDONS and their demo data"
drop_db "$DB"
# Odoo 18 loads demo data unless --without-demo is given; the admin user's
# password in a new database is 'admin'.
"$PYTHON" -m odoo --addons-path="$ADDONS_PATH" -d "$DB" -i "$ADDONS" \
    --http-port "$PORT" --stop-after-init --log-level=warn
step_done

say "==> Odoo is starting: open http://localhost:$PORT, log in as admin / admin," \
    "menu Client Profitability > Analysis. Ctrl-C stops it."
case ",$ADDONS," in
*,qlibra_task_portal,*) say "    A client's portal: log in as portal.client / portal, open Services." ;;
esac
trap - INT
# Odoo stops cleanly on Ctrl-C (SIGINT) and on SIGTERM.
exec "$PYTHON" -m odoo --addons-path="$ADDONS_PATH" -d "$DB" --http-port "$PORT" \
    --log-level=warn
