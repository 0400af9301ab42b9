# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Item i: logging time under load, qLibra beside plain hr_timesheet (README.md
next to this file); run alone: ``python3 benchmarks/logging_load.py --lines N``."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date
from functools import partial

from common import (
    ADDONS,
    free_port,
    log,
    odoo_registry,
    pg_value,
    release,
    superuser_env,
)

from odoo.tools import SQL

CLIENTS = 8  # API clients, each its own user
LINES_PER_CLIENT = 40
PASSWORD = "qlibra-bench-logger"
LOGIN = "qlibra_bench_logger_{}"


def measure_logging(qlibra_db, plain_db, args, figures, rows):
    sides = {"qlibra": qlibra_db, "odoo": plain_db}
    servers = {}
    # Both tables as autovacuum keeps a firm's: the earlier items (item h
    # re-resolves 100,000 lines 9 times) leave dead rows and pages that are
    # not all-visible, so that no index would answer without the table.
    for db in sides.values():
        pg_value(db, SQL("VACUUM ANALYZE account_analytic_line"))
    try:
        targets = {side: prepare(db, side == "qlibra") for side, db in sides.items()}
        queries = {side: count_queries(db, targets[side]) for side, db in sides.items()}
        for side, db in sides.items():
            servers[side] = Server(db)
        rates = {side: [] for side in sides}
        retries = {side: 0 for side in sides}
        for run in range(args.runs + 1):  # run 0: warm-up
            for side, server in servers.items():
                before = server.retries()
                rate = load(server, targets[side])
                retries[side] += server.retries() - before
                log(f"i. logging {side} run {run}: {rate:.1f} lines/s")
                if run:
                    rates[side].append(rate)
    finally:
        for server in servers.values():
            server.stop()
        release(plain_db)  # adoption.py copies it afterwards
    medians = {side: statistics.median(values) for side, values in rates.items()}
    figures["logging_lines_per_s"] = round(medians["qlibra"], 1)
    figures["logging_odoo_lines_per_s"] = round(medians["odoo"], 1)
    figures["logging_runs"] = {k: [round(r, 1) for r in v] for k, v in rates.items()}
    figures["logging_retries"] = retries
    figures["logging_queries_per_create"] = queries
    ratio = round(medians["qlibra"] / medians["odoo"], 2)
    figures["ratio_logging_vs_odoo"] = ratio
    note = f"{medians['qlibra']:.1f} lines/s; {CLIENTS} clients x {LINES_PER_CLIENT}"
    note += f" creates, --workers=4; Odoo {medians['odoo']:.1f} lines/s, ratio {ratio},"
    note += f" retries {retries}, one create alone {queries}"
    label = "logging: lines/s, qLibra (median)"
    rows.append(("i", label, None, None, None, len(rates["qlibra"]), note))


def prepare(dbname, qlibra):
    """The users (each an employee's) once; returns the 9 tasks' (project, task)."""
    # A script preparing a benchmark database. pylint: disable=invalid-commit
    with superuser_env(odoo_registry(dbname), {"tracking_disable": True}) as env:
        employees = env["hr.employee"].search([], order="id", limit=CLIENTS)
        group = env.ref("hr_timesheet.group_hr_timesheet_user")
        for k, employee in enumerate(employees):
            login = LOGIN.format(k + 1)
            user = env["res.users"].search([("login", "=", login)])
            employee.user_id = user or env["res.users"].create(
                {"name": f"Bench Logger {k + 1}", "login": login}
                | {"password": PASSWORD, "groups_id": [(6, 0, [group.id])]}
            )
        projects = env["project.project"]
        domain = [("partner_id", "!=", False)]
        if qlibra:
            domain += [("qlibra_contract_id.date_end", "=", False)]
            for ctype in ("subscription", "hourly", "fixed_price"):
                ctype = [("qlibra_contract_id.contract_type", "=", ctype)]
                projects |= projects.search(domain + ctype, order="id", limit=3)
        else:
            projects = projects.search(domain, order="id")[2:11]
        tasks = env["project.task"].search(
            [("project_id", "in", projects.ids), ("name", "=", "Task 3")], order="id"
        )
        env.cr.commit()
        return [(task.project_id.id, task.id) for task in tasks]


def count_queries(dbname, tasks):
    """Most queries and median ms of a logger's create alone (rolled back)."""
    counts, times = [], []
    with superuser_env(odoo_registry(dbname)) as env:
        cr = env.cr
        user = env["res.users"].search([("login", "=", LOGIN.format(1))])
        for project_id, task_id in tasks * 3:
            vals = {"project_id": project_id, "task_id": task_id, "unit_amount": 1.0}
            vals["name"] = "Bench logging"
            env.invalidate_all()
            before, started = cr.sql_log_count, time.perf_counter()
            env["account.analytic.line"].with_user(user).create(vals)
            env.flush_all()
            cr.precommit.run()
            times.append(time.perf_counter() - started)
            counts.append(cr.sql_log_count - before)
            cr.rollback()
    return {"queries": max(counts), "ms": round(1000 * statistics.median(times))}


class Server:
    """An Odoo server in a child process, multi-worker, on its own ports."""

    def __init__(self, dbname):
        self.dbname = dbname
        self.port = free_port()
        self.logfile = tempfile.NamedTemporaryFile(
            prefix=f"{dbname}-", suffix=".log", delete=False
        )
        # the odoo script: prefork starts its gevent process with sys.argv[0]
        cmd = [os.path.join(os.path.dirname(sys.executable), "odoo")]
        cmd += [f"--addons-path={ADDONS}", "-d", dbname, f"--db-filter=^{dbname}$"]
        cmd += ["--workers=4", "--max-cron-threads=0", "--http-interface=127.0.0.1"]
        cmd += [f"--http-port={self.port}", f"--gevent-port={free_port()}"]
        cmd += ["--log-level=info"]
        log(f"$ {' '.join(cmd)} (log {self.logfile.name})")
        self.process = subprocess.Popen(
            cmd, stdout=self.logfile, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                self.call("common", "version")
                return
            except OSError as error:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    message = f"Odoo did not start, see {self.logfile.name}"
                    raise SystemExit(message) from error
                time.sleep(0.5)

    def call(self, service, method, *args):
        params = {"service": service, "method": method, "args": args}
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
        url = f"http://127.0.0.1:{self.port}/jsonrpc"
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(url, body.encode(), headers)
        with urllib.request.urlopen(request, timeout=300) as response:
            reply = json.load(response)
        if "error" in reply:
            raise RuntimeError(json.dumps(reply["error"])[:2000])
        return reply["result"]

    def retries(self):
        with open(self.logfile.name, encoding="utf-8", errors="replace") as file:
            return sum("tries left, try again" in line for line in file)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def load(server, tasks):
    """8 clients x 40 creates at once; returns lines/s. Deletes the lines."""
    login = partial(server.call, "common", "login", server.dbname)
    uids = [login(LOGIN.format(k + 1), PASSWORD) for k in range(CLIENTS)]
    execute = partial(server.call, "object", "execute_kw", server.dbname)
    created = [[] for _ in range(CLIENTS)]
    errors = []
    barrier = threading.Barrier(CLIENTS + 1)

    def client(k):
        barrier.wait()
        try:
            for i in range(LINES_PER_CLIENT):
                project_id, task_id = tasks[(k + i) % len(tasks)]
                vals = {"project_id": project_id, "task_id": task_id}
                vals["name"], vals["date"] = "Bench logging", date.today().isoformat()
                vals["unit_amount"] = 0.25 * (1 + (k + i) % 8)
                args = uids[k], PASSWORD, "account.analytic.line", "create", [[vals]]
                created[k] += execute(*args)
        except Exception as error:  # reported below, after the other threads
            errors.append(error)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    ids = [i for ids in created for i in ids]
    # A script cleaning a benchmark database. pylint: disable=invalid-commit
    with superuser_env(odoo_registry(server.dbname)) as env:
        env["account.analytic.line"].browse(ids).unlink()
        env.cr.commit()
    if errors:
        raise SystemExit(f"Logging on {server.dbname} failed: {errors[0]}")
    return CLIENTS * LINES_PER_CLIENT / seconds


def main():
    # pylint: disable=print-used
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args, figures, rows = parser.parse_args(), {}, []
    dbs = f"qlibra_bench_{args.lines}", f"qlibra_bench_plain_{args.lines}"
    measure_logging(*dbs, args, figures, rows)
    print(rows[0][-1])
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
