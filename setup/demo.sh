#!/usr/bin/env bash
# The demo command: README.md ("The two commands") says what it does, and
# lists its environment variables.
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
# with demo data (Odoo 18's default); admin's password is 'admin'
"$PYTHON" -m odoo --addons-path="$ADDONS_PATH" -d "$DB" -i "$ADDONS" \
    --http-port "$PORT" --stop-after-init --log-level=warn
step_done

say "==> Odoo is starting: open http://localhost:$PORT, log in as admin / admin," \
    "menu Client Profitability > Analysis. Ctrl-C stops it."
case ",$ADDONS," in
*,qlibra_task_portal,*) say "    A client's portal: log in as portal.client / portal, open Services." ;;
esac
trap - INT
exec "$PYTHON" -m odoo --addons-path="$ADDONS_PATH" -d "$DB" --http-port "$PORT" \
    --log-level=warn
