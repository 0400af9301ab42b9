# Helpers of setup/demo.sh and setup/test.sh, sourced from the repository root
# (. setup/common.sh). README.md's "Prerequisites" and "Environment variables"
# say what they install and which variables they read.

ADDONS="qlibra_task,qlibra_task_reports,qlibra_task_portal"
ROOT="$PWD"
VENV="${QLIBRA_VENV:-$ROOT/.venv}"
# Odoo's official 18.0 source, used only when no local distribution exists.
ODOO_SOURCE_URL="${QLIBRA_ODOO_SOURCE_URL:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}"
ODOO_CONSTRAINTS_URL="${QLIBRA_ODOO_CONSTRAINTS_URL:-https://raw.githubusercontent.com/odoo/odoo/18.0/requirements.txt}"

say() { printf '%s\n' "$*"; }
die() { printf '%s\n' "$@" >&2; exit 1; }

# step "what" prints one line when a step starts; step_done its duration.
STEP_START=0
step() { STEP_START=$(date +%s) && say "==> $*"; }
step_done() { say "    done in $(($(date +%s) - STEP_START)) s${1:+: $1}"; }

is_root() { [ "$(id -u)" = 0 ]; }
has_apt() { command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; }
deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

APT_UPDATED=""
apt_install() {
    [ -n "$APT_UPDATED" ] || DEBIAN_FRONTEND=noninteractive apt-get update || return 1
    APT_UPDATED=1
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

# ensure_debs PURPOSE PACKAGE...: install the missing Debian packages as
# root; otherwise name them and stop, having changed nothing.
ensure_debs() {
    local purpose="$1" missing=() pkg
    shift
    has_apt || return 0 # not Debian: the README names what to install
    for pkg in "$@"; do
        deb_installed "$pkg" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! is_root; then
        die "ERROR: missing Debian packages for $purpose: ${missing[*]}" \
            "Install them (sudo apt-get install ${missing[*]}) and run again. Nothing was changed."
    fi
    step "Installing Debian packages for $purpose: ${missing[*]}"
    apt_install "${missing[@]}" || die "ERROR: apt-get could not install: ${missing[*]}"
    step_done
}

# PDFs (wkhtmltopdf, Cyrillic fonts), what psycopg2/python-ldap build with when
# pip finds no wheel, venv for the project's virtualenv.
system_packages_demo() {
    local pkgs=(wkhtmltopdf fonts-dejavu-core libpq-dev libldap2-dev libsasl2-dev gcc)
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        pkgs+=(python3-venv python3-dev)
    fi
    ensure_debs "Odoo and its PDF reports" "${pkgs[@]}"
}
# The tests also read PDFs (pdftotext) and drive a browser (tours).
system_packages_test() {
    system_packages_demo
    ensure_debs "the tests (PDF text, browser tours)" poppler-utils chromium
}

is_odoo18() { "$1" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] != 18)' >/dev/null 2>&1; }

odoo_dist() {
    if [ -n "${QLIBRA_ODOO_DIST:-}" ]; then
        [ -d "$QLIBRA_ODOO_DIST" ] || die "ERROR: QLIBRA_ODOO_DIST=$QLIBRA_ODOO_DIST is not a folder."
        (cd "$QLIBRA_ODOO_DIST" && pwd)
    elif [ -d "$ROOT/../shared/odoo" ]; then
        (cd "$ROOT/../shared/odoo" && pwd)
    fi
}

# A stamp of what the virtualenv is built from: reused while it matches.
venv_stamp() {
    local dist="$1"
    {
        echo "stamp-format 1"
        python3 -c 'import sys; print(sys.version)'
        if [ -n "$dist" ]; then
            (cd "$dist" && ls -l --time-style=+%s ./*.whl)
            cat "$dist/constraints.txt"
        else
            echo "$ODOO_SOURCE_URL $ODOO_CONSTRAINTS_URL"
        fi
        cat "$ROOT/requirements.txt" "$ROOT/test-requirements.txt" "$ROOT/dev-requirements.txt"
    } 2>/dev/null | sha256sum | cut -d' ' -f1
}

venv_pip() { "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off "$@"; }

# Build (or reuse) the project's virtualenv; sets PYTHON to its interpreter.
ensure_venv() {
    local dist stamp
    dist="$(odoo_dist)"
    stamp="$(venv_stamp "$dist")"
    if [ -f "$VENV/.qlibra-stamp" ] && [ "$(cat "$VENV/.qlibra-stamp")" = "$stamp" ] \
        && is_odoo18 "$VENV/bin/python"; then
        say "==> Using the virtualenv $VENV (up to date)"
        PYTHON="$VENV/bin/python"
        return 0
    fi
    command -v python3 >/dev/null 2>&1 || die "ERROR: python3 not found: install Python 3.10-3.12."
    python3 -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' \
        || die "ERROR: Odoo 18.0 needs Python 3.10-3.12; python3 is $(python3 -V 2>&1)." \
            "Set PYTHON=/path/to/python of a supported version that imports Odoo 18.0."
    step "Creating the virtualenv $VENV (python3: $(python3 -V 2>&1))"
    rm -rf "$VENV"
    python3 -m venv "$VENV" || die "ERROR: python3 -m venv failed (Debian: apt-get install python3-venv)."
    venv_pip -q --upgrade pip setuptools wheel
    step_done
    local odoo="odoo @ $ODOO_SOURCE_URL" constraints="$ODOO_CONSTRAINTS_URL"
    if [ -n "$dist" ]; then
        odoo="$(ls "$dist"/odoo-18.0*.whl 2>/dev/null | head -1)" constraints="$dist/constraints.txt"
        [ -n "$odoo" ] || die "ERROR: no odoo-18.0*.whl in $dist."
        step "Installing Odoo 18.0 ($(basename "$odoo")) and the requirements into the virtualenv"
    else
        step "Installing Odoo 18.0 from Odoo's official source (needs internet): $ODOO_SOURCE_URL"
        if ! "$VENV/bin/python" -c 'import sys, urllib.request as u; u.urlopen(u.Request(sys.argv[1], method="HEAD"), timeout=20)' \
            "$ODOO_SOURCE_URL" >/dev/null 2>&1; then
            rm -rf "$VENV"
            die "ERROR: Odoo's source ($ODOO_SOURCE_URL) cannot be reached." \
                "Without internet, give a local distribution: QLIBRA_ODOO_DIST=/path/to/folder holding" \
                "odoo-18.0*.whl and constraints.txt, or PYTHON=/path/to/python that imports Odoo 18.0."
        fi
    fi
    venv_pip -c "$constraints" "$odoo" -r "$ROOT/requirements.txt" -r "$ROOT/test-requirements.txt" \
        || die "ERROR: pip could not install Odoo 18.0 from ${dist:-$ODOO_SOURCE_URL} (see above)."
    venv_pip --no-deps -r "$ROOT/dev-requirements.txt" \
        || die "ERROR: pip could not install the development tools (see above)."
    is_odoo18 "$VENV/bin/python" || die "ERROR: the virtualenv does not import Odoo 18.0."
    echo "$stamp" >"$VENV/.qlibra-stamp"
    step_done "$("$VENV/bin/python" -m odoo --version)"
    PYTHON="$VENV/bin/python"
}

# Pick the interpreter (README.md), give it the requirements; exports PYTHON.
ensure_python() {
    if [ -z "${PYTHON:-}" ] && [ "${QLIBRA_USE_VENV:-}" != 1 ] && is_odoo18 python3; then
        PYTHON=python3 # it imports Odoo 18.0
    fi
    if [ -z "${PYTHON:-}" ]; then
        ensure_venv
    else
        command -v "$PYTHON" >/dev/null 2>&1 || die "ERROR: PYTHON=$PYTHON not found."
        is_odoo18 "$PYTHON" || die "ERROR: PYTHON=$PYTHON does not import Odoo 18.0." \
            "Unset PYTHON to let the set-up build its own virtualenv with Odoo 18.0. Nothing was changed."
        step "Installing the Python requirements into $PYTHON (it imports Odoo 18.0)"
        pip_install -r requirements.txt -r test-requirements.txt
        pip_install --no-deps -r dev-requirements.txt
        step_done
    fi
    export PYTHON
}

# pip install into a user's own interpreter that runs Odoo.
pip_install() {
    local args=(-q --disable-pip-version-check)
    if is_root; then
        args+=(--root-user-action=ignore)
    elif ! "$PYTHON" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
        args+=(--user) # not root and not in a virtualenv
    fi
    "$PYTHON" -m pip install "${args[@]}" "$@"
}

pg_answers() { psql -d postgres -Atc 'select 1' >/dev/null 2>&1; }

# PostgreSQL must answer for the OS user (Odoo refuses the role 'postgres'). As
# root on Debian: installed, started, a role that may create databases made.
require_postgres() {
    pg_answers && return 0
    if is_root && has_apt; then
        if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
            step "Installing PostgreSQL (apt-get install postgresql)"
            apt_install postgresql postgresql-client || die "ERROR: apt-get could not install PostgreSQL."
            step_done
        fi
        local version
        for version in $(ls /etc/postgresql); do
            if ! pg_ctlcluster "$version" main status >/dev/null 2>&1; then
                step "Starting PostgreSQL $version/main"
                pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
                step_done
            fi
        done
        local i
        for i in $(seq 1 20); do
            runuser -u postgres -- psql -d postgres -Atc 'select 1' >/dev/null 2>&1 && break
            sleep 0.5
        done
        if ! pg_answers; then
            local role
            role="$(id -un)"
            step "Creating the PostgreSQL role '$role' (may create databases)"
            runuser -u postgres -- psql -d postgres -v ON_ERROR_STOP=1 -qc \
                "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN CREATE ROLE \"$role\" LOGIN CREATEDB; ELSE ALTER ROLE \"$role\" LOGIN CREATEDB; END IF; END \$\$" \
                || true
            step_done
        fi
        pg_answers && return 0
    fi
    if ! command -v psql >/dev/null 2>&1; then
        die "ERROR: PostgreSQL client 'psql' not found." \
            "Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql postgresql-client)" \
            "and give your user a role that may create databases. Nothing was changed."
    fi
    die "ERROR: PostgreSQL does not answer ('psql -d postgres -c \"select 1\"' failed as user $(id -un))." \
        "Install and start PostgreSQL (Debian/Ubuntu: apt-get install postgresql), then create a role" \
        "for your user that may create databases: sudo -u postgres createuser --createdb $(id -un)" \
        "(Odoo refuses to connect as 'postgres'). Nothing was changed."
}

# The addons path: the repository, then this interpreter's folders of add-ons
# (Odoo's, and wherever pip put OCA's such as report_xlsx).
addons_path() {
    "$PYTHON" - "$PWD" <<'EOF'
import importlib, os, sys
import odoo.addons

paths = [sys.argv[1], *odoo.addons.__path__]
for name in ("base", "web", "report_xlsx"):
    try:
        paths.append(os.path.dirname(importlib.import_module("odoo.addons." + name).__path__[0]))
    except ImportError:
        pass
paths = [os.path.abspath(path) for path in paths if os.path.isdir(path)]
print(",".join(dict.fromkeys(paths)))
EOF
}

# Drop a database and its filestore if it exists (click-odoo-contrib).
drop_db() { "$PYTHON" -m click_odoo_contrib.dropdb --if-exists "$1"; }

# Debian's wkhtmltopdf warns without an XDG_RUNTIME_DIR (as under CI).
ensure_xdg_runtime_dir() { # mktemp -d makes it private (700)
    [ -d "${XDG_RUNTIME_DIR:-}" ] || XDG_RUNTIME_DIR="$(mktemp -d "${TMPDIR:-/tmp}/qlibra-xdg.XXXXXX")"
    export XDG_RUNTIME_DIR
}
