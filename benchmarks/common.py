# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers shared by the benchmark's scripts: the add-ons path, progress
messages, the benchmark databases (dropped and copied with click-odoo-contrib),
Odoo in this process or in a child, and the measured steps (median time,
query count and peak RSS of interleaved runs)."""

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
    """Close this process' registry and connections of dbname (a template of
    CREATE DATABASE, or a database to drop, must have no session)."""
    Registry.delete(dbname)
    close_db(dbname)


@contextmanager
def superuser_env(registry, context=None):
    """An environment of the superuser on a new cursor of registry."""
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, context or {})


def odoo_cli(dbname, *args, check=None):
    """Odoo in a child process; returns (exit status, output). With check,
    a failed run stops the script with check and the output's end."""
    cmd = [sys.executable, "-m", "odoo", f"--addons-path={ADDONS}", "-d", dbname]
    cmd += ["--stop-after-init", "--log-level=warn", "--without-demo=all", *args]
    log("$ " + " ".join(cmd))
    result = subprocess.run(cmd, capture_output=True, text=True)
    if check and result.returncode:
        raise SystemExit(f"{check}:\n{(result.stdout + result.stderr)[-4000:]}")
    return result.returncode, result.stdout + result.stderr


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ----------------------------------------------------------------------
# The databases (only qlibra_bench_* / bench_* are ever created or dropped)
# ----------------------------------------------------------------------
def pg_value(dbname, query, check=True):
    """Run query (an odoo.tools.SQL) on dbname in autocommit mode, outside
    Odoo's pool; the first column of its first row, or None (also on an error,
    a missing database among them, when check is False)."""
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
    """Drop dbname and its filestore if it exists, then make it a copy of the
    database copy_of if given (click-odoo-contrib's dropdb and copydb)."""
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


# ----------------------------------------------------------------------
# Measured steps: time, queries and peak RSS of each run, run interleaved
# ----------------------------------------------------------------------
def vm_kb(key):
    """A line of /proc/self/status in MB (VmRSS, VmHWM), or None."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
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
        return vm_kb("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Step:
    """A measured step: times, query counts, peak RSS and RSS growth of each
    run. With own_cursor, fn runs in a transaction of its own and returns a
    dict holding its "queries" (and "seconds" when it times only a part)."""

    def __init__(self, key, label, fn, own_cursor=False):
        self.key, self.label, self.fn, self.own_cursor = key, label, fn, own_cursor
        self.times, self.queries, self.peaks, self.growths = [], [], [], []
        self.result = self.last = None

    def run(self, env, measured=True):
        env.invalidate_all()
        rss_before, resettable = vm_kb("VmRSS"), reset_peak_rss()
        queries, started = env.cr.sql_log_count, time.perf_counter()
        self.result = self.fn()
        elapsed = time.perf_counter() - started
        if self.own_cursor:
            elapsed = self.result.pop("seconds", elapsed)
            queries = self.result.pop("queries")
        else:
            queries = env.cr.sql_log_count - queries
        peak = peak_rss_mb(resettable)
        growth = peak - rss_before if rss_before else None
        self.last = (elapsed, queries, peak, growth)
        if measured:
            self.keep_last()
        return elapsed

    def keep_last(self):
        for values, value in zip(
            (self.times, self.queries, self.peaks, self.growths), self.last, strict=True
        ):
            values.append(value)

    @property
    def seconds(self):
        return statistics.median(self.times) if self.times else None

    @property
    def query_count(self):
        return int(statistics.median(self.queries)) if self.queries else None

    @property
    def peak(self):
        return max(self.peaks) if self.peaks else None


def run_interleaved(env, steps, runs, budget):
    """Warm up each step, then run them in turn; median per step.

    Interleaving makes the noise of a shared machine hit every side of a
    comparison alike. A warm-up longer than a minute counts as a run, and
    runs stop after ``budget`` seconds (at least one measured run each).
    """
    started = time.perf_counter()
    for step in steps:
        elapsed = step.run(env, measured=False)
        if elapsed > 60:
            step.keep_last()
        log(f"  warm-up {step.key}: {elapsed:.3f} s")
    for index in range(runs):
        for step in steps:
            if len(step.times) < runs:
                step.run(env)
        if time.perf_counter() - started > budget:
            log(f"  time budget reached after {index + 1} runs")
            break
    for step in steps:
        log(f"  {step.key}: median {step.seconds:.3f} s over {len(step.times)} runs")


def add_row(rows, figures, item, step, note):
    """The table's row of step, and its figures <key>_s, _queries,
    _peak_rss_mb and _runs."""
    row = (step.label, step.seconds, step.query_count, step.peak, len(step.times))
    rows.append((item, *row, note))
    seconds = step.seconds
    figures[f"{step.key}_s"] = round(seconds, 4) if seconds is not None else None
    figures[f"{step.key}_queries"] = step.query_count
    figures[f"{step.key}_peak_rss_mb"] = round(step.peak, 1) if step.peak else None
    figures[f"{step.key}_runs"] = len(step.times)


def ratio(numerator, denominator):
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 3)
