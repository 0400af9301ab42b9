# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers shared by the benchmark's scripts: the add-ons path, progress
messages, the benchmark databases, Odoo in this process or in a child, and
the peak RSS of a measured step."""

import os
import resource
import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.sql_db import close_db
from odoo.tools import SQL, config

ADDONS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB_PREFIXES = ("qlibra_bench_", "bench_")  # the only databases ever dropped


def log(message):
    """Progress on stderr: stdout holds only the table and the JSON line."""
    # pylint: disable=print-used
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def odoo_registry(dbname):
    if not getattr(odoo_registry, "configured", False):
        config.parse_config(
            [f"--addons-path={ADDONS}", "-d", dbname, "--log-level=warn"]
        )
        odoo_registry.configured = True
    return Registry(dbname)


def release(dbname):
    """Close this process' registry and connections of dbname (a template of
    CREATE DATABASE, or a database to drop, must have no session)."""
    Registry.delete(dbname)
    close_db(dbname)


@contextmanager
def superuser_env(registry, context=None):
    """An environment of the superuser on a new cursor of registry."""
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, context or {})


def odoo_cli(dbname, *args):
    """Odoo in a child process; returns (exit status, output)."""
    cmd = [sys.executable, "-m", "odoo", f"--addons-path={ADDONS}", "-d", dbname]
    cmd += ["--stop-after-init", "--log-level=warn", "--without-demo=all", *args]
    log("$ " + " ".join(cmd))
    result = subprocess.run(cmd, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


# ----------------------------------------------------------------------
# The databases (only qlibra_bench_* / bench_* are ever created or dropped)
# ----------------------------------------------------------------------
def pg_value(dbname, query, check=True):
    """Run query (an odoo.tools.SQL) on dbname in autocommit mode, outside
    Odoo's pool; the first column of its first row, or None (also on an error
    when check is False)."""
    connection = None
    try:
        connection = psycopg2.connect(dbname=dbname)
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute(query.code, query.params)
            row = cr.fetchone() if cr.description else None
    except psycopg2.Error as error:
        if check:
            raise RuntimeError(f"Query on {dbname} failed: {error}") from error
        return None
    finally:
        if connection is not None:
            connection.close()
    return row[0] if row else None


def check_name(dbname):
    if not dbname.startswith(DB_PREFIXES):
        raise SystemExit(f"{dbname}: a benchmark database starts with {DB_PREFIXES}")


def drop_db(dbname):
    check_name(dbname)
    pg_value(
        "postgres",
        SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(dbname)),
    )


def copy_db(template, dbname):
    drop_db(dbname)
    query = SQL(
        "CREATE DATABASE %s TEMPLATE %s",
        SQL.identifier(dbname),
        SQL.identifier(template),
    )
    pg_value("postgres", query)


def db_marker(dbname, key):
    """The scale recorded under the ir.config_parameter key, or None."""
    if not pg_value(
        "postgres", SQL("SELECT 1 FROM pg_database WHERE datname = %s", dbname)
    ):
        return None
    query = SQL("SELECT value FROM ir_config_parameter WHERE key = %s", key)
    value = pg_value(dbname, query, check=False)
    return int(value) if value and value.isdigit() else None


def module_state(dbname, module):
    query = SQL("SELECT state FROM ir_module_module WHERE name = %s", module)
    return pg_value(dbname, query, check=False)


# ----------------------------------------------------------------------
# Memory: peak RSS of a measured step
# ----------------------------------------------------------------------
def proc_status(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0  # kB -> MB
    return None


def reset_peak_rss():
    """Reset the kernel's high-water mark of this process (Linux >= 4.0);
    False when it cannot: the peak is then the lifetime ru_maxrss."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb(resettable):
    if resettable:
        return proc_status("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
