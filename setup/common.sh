# Shared helpers for setup/demo.sh, setup/test.sh and .ci/run.
# Source it from bash after `cd` to the repository root:  . setup/common.sh
#
# Environment:
#   PYTHON   the interpreter that imports Odoo 18.0 (default: python3)

PYTHON="${PYTHON:-python3}"
ADDONS="qlibra_task,qlibra_task_reports"

say() { printf '%s\n' "$*"; }
die() {
    printf '%s\n' "$@" >&2
    exit 1
}

# Odoo 18.0 must be importable by $PYTHON; the project does not install Odoo.
require_odoo() {
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        die "ERROR: '$PYTHON' not found." \
            "Install Python 3.10+ with Odoo 18.0 (see README.md), or set PYTHON=/path/to/python."
    fi
    if ! "$PYTHON" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] != 18)' \
        >/dev/null 2>&1; then
        die "ERROR: Odoo 18.0 is not importable by '$PYTHON'." \
            "Install Odoo 18.0 Community into that interpreter (pip install -e <odoo 18.0 source tree>," \
            "so that '$PYTHON -m odoo --version' prints 'Odoo Server 18.0...')," \
            "or point PYTHON at an interpreter that has it. Nothing was changed."
    fi
}

pg_answers() {
    psql -d postgres -Atc 'select 1' >/dev/null 2>&1
}

# PostgreSQL must answer for the current OS user (Odoo connects with the
# libpq defaults: as root that is the role 'root'; it refuses 'postgres').
require_postgres() {
    if ! command -v psql >/dev/null 2>&1; then
        die "ERROR: PostgreSQL client 'psql' not found." \
            "Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql postgresql-client)" \
            "and give your user a role that may create databases. Nothing was changed."
    fi
    pg_answers && return 0
    if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null 2>&1 \
        && [ -d /etc/postgresql ]; then
        local version
        for version in $(ls /etc/postgresql); do
            say "PostgreSQL does not answer; starting cluster $version/main"
            pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
        done
        local i
        for i in $(seq 1 20); do
            pg_answers && return 0
            sleep 0.5
        done
    fi
    die "ERROR: PostgreSQL does not answer ('psql -d postgres -c \"select 1\"' failed as user $(id -un))." \
        "Install and start PostgreSQL (Debian/Ubuntu: apt-get install postgresql), then create a role" \
        "for your user that may create databases: sudo -u postgres createuser --createdb $(id -un)" \
        "(Odoo refuses to connect as 'postgres'). Nothing was changed."
}

# pip install -r FILE... quietly, into the interpreter that runs Odoo.
pip_install() {
    local args=(-q --disable-pip-version-check)
    if [ "$(id -u)" = 0 ]; then
        args+=(--root-user-action=ignore)
    elif ! "$PYTHON" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
        args+=(--user) # not root and not in a virtualenv
    fi
    local file
    for file in "$@"; do
        args+=(-r "$file")
    done
    "$PYTHON" -m pip install "${args[@]}"
}

# Print the addons path: the repository root, then every folder that holds
# Odoo add-ons of this interpreter (odoo/addons of the Odoo install, and
# wherever pip put OCA add-ons such as report_xlsx).
addons_path() {
    "$PYTHON" - "$PWD" <<'EOF'
import importlib
import os
import sys

import odoo.addons

paths = [os.path.abspath(sys.argv[1])]
candidates = list(odoo.addons.__path__)
for name in ("base", "web", "report_xlsx"):
    try:
        module = importlib.import_module("odoo.addons." + name)
    except ImportError:
        continue
    candidates.append(os.path.dirname(os.path.dirname(module.__file__)))
for path in candidates:
    path = os.path.abspath(path)
    if os.path.isdir(path) and path not in paths:
        paths.append(path)
print(",".join(paths))
EOF
}

# Browser tests (Odoo tours) need Chromium; install Debian's where we can.
ensure_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
        || command -v google-chrome >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "Installing Chromium for the browser tests (apt-get install chromium)"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
            >/dev/null 2>&1 || say "Could not install Chromium: browser tests will be skipped."
    else
        say "Chromium not found: browser tests will be skipped (apt-get install chromium)."
    fi
}

db_exists() {
    [ "$(psql -d postgres -Atc "select 1 from pg_database where datname = '$1'")" = 1 ]
}

# Drop a database and its filestore (Odoo's own command) if it exists.
drop_db() {
    if db_exists "$1"; then
        "$PYTHON" -m odoo db drop "$1"
    fi
}

# Debian's wkhtmltopdf prints a QStandardPaths notice when XDG_RUNTIME_DIR is
# unset (as under CI); Odoo would log it as a WARNING. Give it a private one.
ensure_xdg_runtime_dir() {
    if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "$XDG_RUNTIME_DIR" ]; then
        XDG_RUNTIME_DIR="$(mktemp -d "${TMPDIR:-/tmp}/qlibra-xdg.XXXXXX")"
        chmod 700 "$XDG_RUNTIME_DIR"
        export XDG_RUNTIME_DIR
    fi
}
