# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the benchmark's scripts share: Odoo, the databases, measured steps."""

import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from contextlib import closing, contextmanager
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
    """Close this process' sessions on dbname (to drop it, or copy it)."""
    Registry.delete(dbname)
    close_db(dbname)


@contextmanager
def superuser_env(registry, context=None):
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, context or {})


def odoo_cli(dbname, *args, check=None):
    """Odoo in a child: (status, output); a failure stops the script if check."""
    cmd = [sys.executable, "-m", "odoo", f"--addons-path={ADDONS}", "-d", dbname]
    cmd += ["--stop-after-init", "--log-level=warn", "--without-demo=all", *args]
    log("$ " + " ".join(cmd))
    result = subprocess.run(cmd, capture_output=True, text=True)
    output = result.stdout + result.stderr
    if check and result.returncode:
        raise SystemExit(f"{check}:\n{output[-4000:]}")
    return result.returncode, output


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_value(dbname, query, check=True):
    """query's first value, in autocommit; None on an error unless check."""
    try:
        with closing(psycopg2.connect(dbname=dbname)) as connection:
            connection.autocommit = True
            with connection.cursor() as cr:
                cr.execute(query.code, query.params)
                row = cr.fetchone() if cr.description else None
    except psycopg2.Error as error:
        if check:
            raise RuntimeError(f"Query on {dbname} failed: {error}") from error
        return None
    return row[0] if row else None


def check_name(dbname):
    if not dbname.startswith(DB_PREFIXES):
        raise SystemExit(f"{dbname}: a benchmark database starts with {DB_PREFIXES}")


def drop_db(dbname, copy_of=None):
    """Drop dbname (click-odoo-contrib), then copy copy_of into it if given."""
    check_name(dbname)
    # dropdb keeps the filestore of a database that no longer exists
    shutil.rmtree(config.filestore(dbname), ignore_errors=True)
    commands = [("dropdb", "--if-exists", dbname)]
    commands += [("copydb", "-f", copy_of, dbname)] if copy_of else []
    for command, *args in commands:
        module = f"click_odoo_contrib.{command}"
        subprocess.run([sys.executable, "-m", module, *args], check=True)


def db_marker(dbname, key):
    """The scale recorded under the ir.config_parameter key, or None."""
    query = SQL("SELECT value FROM ir_config_parameter WHERE key = %s", key)
    value = pg_value(dbname, query, check=False)
    return int(value) if value and value.isdigit() else None


def module_state(dbname, module):
    query = SQL("SELECT state FROM ir_module_module WHERE name = %s", module)
    return pg_value(dbname, query, check=False)


def vm_mb(key):
    """A line of /proc/self/status (VmRSS, VmHWM) in MB, or None."""
    with open("/proc/self/status") as status:
        values = (line.split()[1] for line in status if line.startswith(key + ":"))
        return next((int(value) / 1024.0 for value in values), None)


def reset_peak_rss():
    """Reset this process' peak RSS (Linux >= 4.0); False if it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


class Step:
    """(seconds, queries, peak RSS, RSS growth) of each run of fn. With
    own_cursor, fn returns its "queries" (and "seconds" if it times a part)."""

    def __init__(self, key, label, fn, own_cursor=False):
        self.key, self.label, self.fn, self.own_cursor = key, label, fn, own_cursor
        self.runs, self.result, self.last = [], None, None

    def run(self, env, measured=True):
        env.invalidate_all()
        rss_before, resettable = vm_mb("VmRSS"), reset_peak_rss()
        queries, started = env.cr.sql_log_count, time.perf_counter()
        self.result = self.fn()
        elapsed = time.perf_counter() - started
        if self.own_cursor:
            elapsed = self.result.pop("seconds", elapsed)
            queries = self.result.pop("queries")
        else:
            queries = env.cr.sql_log_count - queries
        peak = vm_mb("VmHWM") if resettable else None
        peak = peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        self.last = (elapsed, queries, peak, peak - rss_before if rss_before else None)
        if measured:
            self.runs.append(self.last)
        return elapsed

    def values(self, index):
        return [run[index] for run in self.runs]

    @property
    def seconds(self):
        return statistics.median(self.values(0)) if self.runs else None

    @property
    def query_count(self):
        return int(statistics.median(self.values(1))) if self.runs else None

    @property
    def peak(self):
        return max(self.values(2)) if self.runs else None


def run_interleaved(env, steps, runs, budget):
    """A warm-up (counted if over a minute), then the steps in turn, so that
    noise hits every side alike, until runs or budget seconds (one at least)."""
    started = time.perf_counter()
    for step in steps:
        elapsed = step.run(env, measured=False)
        if elapsed > 60:
            step.runs.append(step.last)
        log(f"  warm-up {step.key}: {elapsed:.3f} s")
    for index in range(runs):
        for step in steps:
            if len(step.runs) < runs:
                step.run(env)
        if time.perf_counter() - started > budget:
            log(f"  time budget reached after {index + 1} runs")
            break
    for step in steps:
        log(f"  {step.key}: median {step.seconds:.3f} s over {len(step.runs)} runs")


def add_row(rows, figures, item, step, note):
    """The table's row of step; its figures <key>_s, _queries, _peak_rss_mb, _runs."""
    seconds, peak, key = step.seconds, step.peak, step.key
    row = (step.label, seconds, step.query_count, peak, len(step.runs))
    rows.append((item, *row, note))
    figures[f"{key}_s"] = round(seconds, 4) if seconds is not None else None
    figures[f"{key}_queries"] = step.query_count
    figures[f"{key}_peak_rss_mb"] = round(peak, 1) if peak else None
    figures[f"{key}_runs"] = len(step.runs)


def ratio(numerator, denominator):
    return round(numerator / denominator, 3) if numerator and denominator else None
