"""Upgrade safety check, a step of setup/run_tests.py (or run on its own).

On a database of its own (dropped at the end unless QLIBRA_KEEP_DB=1 or
--keep-db), proves that installing, updating, uninstalling and reinstalling
the add-ons keeps the data and leaves the database clean:

a. install the add-ons with demo data; snapshot the contracts (active and
   archived), the task and timesheet flags, the sum of ``qlibra_cost``, the
   warnings and the sums of the profitability view;
b. edit data as a user would (archive a contract, add one, flag a task and a
   timesheet line), snapshot, run ``-u`` and check the snapshot is identical
   (every ``qlibra_*`` value of every row) and the view still exists;
c. uninstall the add-ons (``button_immediate_uninstall``), then check no
   relation, column, constraint, function or record of theirs is left and
   that Odoo still works: a timesheet, Odoo's timesheet analysis, the views
   and menus of every model the add-ons extended;
d. reinstall them with demo data and check the snapshot matches the first;
e. the Odoo log (``--logfile``) holds no WARNING, ERROR or CRITICAL record
   (run_tests.py checks that file itself and passes ``--no-log-check``).

Prints one line per check (``ok`` or ``FAILED: why``), then
``UPGRADE-CHECKS passed=N failed=M``; exits 1 when a check failed.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_tests import PYTHON, ROOT, drop_db, free_port, log_offenders  # noqa: E402

MODULES = ("qlibra_task", "qlibra_task_reports")
VIEW = "qlibra_profitability_report"

# Figures that the demo data determines; compared after -u and reinstall.
SNAPSHOT_SQL = {
    "contracts active": "SELECT count(*) FROM qlibra_contract WHERE active",
    "contracts archived": "SELECT count(*) FROM qlibra_contract WHERE NOT active",
    "tasks with a fixed price": (
        "SELECT count(*) FROM project_task WHERE COALESCE(qlibra_fixed_price, 0) != 0"
    ),
    "sum of task fixed prices": (
        "SELECT ROUND(COALESCE(SUM(qlibra_fixed_price), 0)::numeric, 2)::text "
        "FROM project_task"
    ),
    "change-request tasks": (
        "SELECT count(*) FROM project_task WHERE qlibra_is_change_request"
    ),
    "change-request timesheet lines": (
        "SELECT count(*) FROM account_analytic_line WHERE qlibra_is_change_request"
    ),
    "sum of qlibra_cost": (
        "SELECT ROUND(COALESCE(SUM(qlibra_cost), 0)::numeric, 2)::text "
        "FROM account_analytic_line"
    ),
    "warnings": "SELECT count(*) FROM qlibra_warning",
    "view SUM(hours)": (
        f"SELECT ROUND(COALESCE(SUM(hours), 0)::numeric, 2)::text FROM {VIEW}"
    ),
    "view SUM(cost)": (
        f"SELECT ROUND(COALESCE(SUM(cost), 0)::numeric, 2)::text FROM {VIEW}"
    ),
    "view SUM(revenue)": (
        f"SELECT ROUND(COALESCE(SUM(revenue), 0)::numeric, 2)::text FROM {VIEW}"
    ),
}
# Columns that a module update may legitimately touch.
VOLATILE = ("write_date", "write_uid", "__last_update")

# Records of the add-ons that must be gone after the uninstall: table -> SQL
# returning a description per leftover row.
XMLID = (
    "SELECT module || '.' || name || ' (' || model || ')' FROM ir_model_data "
    "WHERE module IN %(modules)s"
)
LEFTOVER_RECORDS = {
    "ir_model_data": XMLID,
    "ir_model": "SELECT model FROM ir_model WHERE model ILIKE 'qlibra%%'",
    "ir_model_fields": (
        "SELECT model || '.' || name FROM ir_model_fields "
        "WHERE name ILIKE '%%qlibra%%' OR model ILIKE 'qlibra%%'"
    ),
    "ir_ui_view": (
        "SELECT name || ' (' || COALESCE(key, model, '') || ')' FROM ir_ui_view "
        "WHERE name ILIKE '%%qlibra%%' OR key ILIKE '%%qlibra%%' "
        "OR model ILIKE 'qlibra%%' OR arch_db::text ILIKE '%%qlibra%%'"
    ),
    "ir_ui_menu": (
        "SELECT name::text FROM ir_ui_menu WHERE id IN (SELECT res_id FROM "
        "ir_model_data WHERE model = 'ir.ui.menu' AND module IN %(modules)s) "
        "OR name::text ILIKE '%%qlibra%%' OR action ILIKE '%%qlibra%%'"
    ),
    "ir_cron": (
        "SELECT cron_name::text FROM ir_cron c JOIN ir_act_server s "
        "ON s.id = c.ir_actions_server_id WHERE cron_name::text ILIKE '%%qlibra%%' "
        "OR s.code ILIKE '%%qlibra%%' OR s.model_name ILIKE 'qlibra%%'"
    ),
    "mail_activity_type": (
        "SELECT name::text FROM mail_activity_type WHERE name::text ILIKE "
        "'%%qlibra%%' OR res_model ILIKE 'qlibra%%' OR id IN (SELECT res_id FROM "
        "ir_model_data WHERE model = 'mail.activity.type' AND module IN %(modules)s)"
    ),
    "ir_rule": (
        "SELECT name FROM ir_rule WHERE name ILIKE '%%qlibra%%' "
        "OR domain_force ILIKE '%%qlibra%%'"
    ),
    "res_groups": (
        "SELECT name::text FROM res_groups WHERE name::text ILIKE '%%qlibra%%' "
        "OR id IN (SELECT res_id FROM ir_model_data WHERE model = 'res.groups' "
        "AND module IN %(modules)s)"
    ),
    "ir_actions_report": (
        "SELECT report_name FROM ir_act_report_xml WHERE report_name ILIKE "
        "'%%qlibra%%' OR model ILIKE 'qlibra%%'"
    ),
    "ir_actions (window, server)": (
        "SELECT name::text FROM ir_act_window WHERE res_model ILIKE 'qlibra%%' "
        "UNION ALL SELECT name::text FROM ir_act_server "
        "WHERE model_name ILIKE 'qlibra%%' OR code ILIKE '%%qlibra%%'"
    ),
    "ir_model_access": "SELECT name FROM ir_model_access WHERE name ILIKE 'qlibra%%'",
    "mail_template": (
        "SELECT name::text FROM mail_template WHERE model ILIKE 'qlibra%%' "
        "OR id IN (SELECT res_id FROM ir_model_data "
        "WHERE model = 'mail.template' AND module IN %(modules)s)"
    ),
}


# ----------------------------------------------------------------------
# Odoo shell scripts (run as superuser, in one transaction)
# ----------------------------------------------------------------------
CHECK_HELPERS = """
import json
import traceback

def check(name, func):
    try:
        with env.cr.savepoint():
            detail = func()
        print("CHECK-RESULT " + json.dumps([name, True, detail or ""]))
    except Exception as exc:
        env.invalidate_all()
        traceback.print_exc()
        print("CHECK-RESULT " + json.dumps([name, False, repr(exc)]))
"""

USER_EDITS = """
from odoo import fields

def edit():
    Contract = env["qlibra.contract"]
    archived = Contract.search([("active", "=", True)], order="id", limit=1)
    assert archived, "no active contract in the demo data"
    archived.action_archive()
    client = env["res.partner"].create(
        {"name": "Upgrade Check Client", "is_company": True}
    )
    Contract.create({
        "partner_id": client.id,
        "contract_type": "hourly",
        "hourly_rate": 95.0,
        "date_start": fields.Date.today().replace(day=1),
    })
    task = env["project.task"].search(
        [("qlibra_is_change_request", "=", False), ("project_id", "!=", False)],
        order="id", limit=1,
    )
    task.qlibra_is_change_request = True
    line = env["account.analytic.line"].search(
        [("qlibra_is_change_request", "=", False), ("project_id", "!=", False)],
        order="id", limit=1,
    )
    line.qlibra_is_change_request = True
    env.flush_all()
    return (
        f"archived {archived.display_name}, added a contract, flagged task "
        f"{task.id} and timesheet line {line.id}"
    )

check("user edits before the update", edit)
env.cr.commit()
"""

UNINSTALL = """
modules = env["ir.module.module"].search(
    [("name", "in", MODULES), ("state", "=", "installed")]
)
names = modules.mapped("name")
assert len(names) == len(MODULES), names
modules.button_immediate_uninstall()
print("UNINSTALLED " + ",".join(names))
"""

# Rolled back by the shell at the end: leaves no trace for the reinstall.
ODOO_WORKS = """
def timesheet():
    project = env["project.project"].create(
        {"name": "Upgrade Check Project", "allow_timesheets": True}
    )
    employee = env["hr.employee"].create(
        {"name": "Upgrade Check Employee", "hourly_cost": 40.0}
    )
    line = env["account.analytic.line"].create({
        "name": "Upgrade check",
        "project_id": project.id,
        "employee_id": employee.id,
        "unit_amount": 2.5,
    })
    assert line.amount == -100.0, f"amount {line.amount}, expected -100.0"
    env.flush_all()
    report = env["timesheets.analysis.report"]
    rows = report.search_read(
        [("project_id", "=", project.id)], ["unit_amount", "amount"]
    )
    assert len(rows) == 1 and rows[0]["unit_amount"] == 2.5, rows
    groups = report.read_group([], ["unit_amount:sum", "amount:sum"], ["project_id"])
    assert groups, "timesheet analysis is empty"
    report.get_views([(False, "pivot"), (False, "graph"), (False, "search")])
    return f"{len(groups)} projects in timesheets.analysis.report"

check("timesheet logged and read in Odoo's timesheet analysis", timesheet)

def views(model, types):
    def render():
        env[model].get_views([(False, view_type) for view_type in types])
        return ", ".join(types)
    return render

for model, types in [
    ("project.task", ["form", "list", "kanban", "search"]),
    ("project.project", ["form", "list", "kanban", "search"]),
    ("account.analytic.line", ["form", "list", "search"]),
    ("hr.employee", ["form", "list", "search"]),
    ("res.partner", ["form", "list", "search"]),
    ("res.company", ["form"]),
    ("res.config.settings", ["form"]),
]:
    check(f"{model} views load", views(model, types))

def menus():
    tree = env["ir.ui.menu"].load_menus(False)
    return f"{len(tree)} menus"

check("menus load", menus)
"""


class Checker:
    def __init__(self, db, modules, addons_path, logfile):
        self.db = db
        self.modules = modules
        self.addons_path = addons_path
        self.logfile = Path(logfile)
        self.passed = 0
        self.failed = 0

    # -- reporting ------------------------------------------------------
    def result(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok      {name}" + (f": {detail}" if detail else ""), flush=True)
        else:
            self.failed += 1
            print(f"FAILED: {name}: {detail}", flush=True)
        return ok

    # -- Odoo -------------------------------------------------------------
    def odoo(self, *args, script=None):
        """Run Odoo (``script``: an ``odoo shell`` script); its log goes to
        the log file. Return (exit status, standard output)."""
        cmd = [PYTHON, "-m", "odoo"]
        if script is not None:
            cmd.append("shell")
        cmd += [
            f"--addons-path={self.addons_path}",
            "-d",
            self.db,
            f"--http-port={free_port()}",
            *args,
        ]
        print("$ " + " ".join(cmd), flush=True)
        with open(self.logfile, "a", encoding="utf-8") as log:
            log.write(f"==== check_upgrade.py: {' '.join(cmd)}\n")
            log.flush()
            proc = subprocess.run(
                cmd,
                cwd=ROOT,
                input=script,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                errors="replace",
                check=False,
                env=dict(os.environ, PYTHONUNBUFFERED="1"),
            )
            log.write(proc.stdout)
        if proc.returncode:
            print(f"Odoo exited with status {proc.returncode}; log {self.logfile}")
        return proc.returncode, proc.stdout

    def shell(self, body):
        prelude = f"MODULES = {list(self.modules)!r}\n" + CHECK_HELPERS
        return self.odoo("--no-http", script=prelude + textwrap.dedent(body))

    def shell_checks(self, title, body):
        rc, out = self.shell(body)
        seen = 0
        for line in out.splitlines():
            if line.startswith("CHECK-RESULT "):
                name, ok, detail = json.loads(line.split(" ", 1)[1])
                self.result(name, ok, detail)
                seen += 1
        if rc or not seen:
            self.result(title, False, f"odoo shell exited with status {rc}")
        return rc == 0 and seen

    def install(self, update=False):
        action = "update (-u)" if update else "install with demo data (-i)"
        rc, _out = self.odoo(
            "-u" if update else "-i", ",".join(self.modules), "--stop-after-init"
        )
        states = self.module_states()
        ok = rc == 0 and all(states.get(name) == "installed" for name in self.modules)
        return self.result(
            f"{action} of {','.join(self.modules)}",
            ok,
            f"exit status {rc}, module states {states}",
        )

    # -- SQL ----------------------------------------------------------------
    def query(self, sql, params=None):
        with psycopg2.connect(dbname=self.db) as conn, conn.cursor() as cr:
            cr.execute(sql, params)
            rows = cr.fetchall()
        conn.close()
        return rows

    def module_states(self):
        return dict(
            self.query(
                "SELECT name, state FROM ir_module_module WHERE name IN %s",
                [tuple(self.modules)],
            )
        )

    def view_exists(self):
        return bool(
            self.query(
                "SELECT 1 FROM pg_class WHERE relname = %s AND relkind = 'v'", [VIEW]
            )
        )

    def snapshot(self):
        """(figures, rows): figures of SNAPSHOT_SQL; rows: every row's
        qlibra_* values of the tables the add-ons extend, and every row of
        their own tables, by table and id."""
        figures = {name: self.query(sql)[0][0] for name, sql in SNAPSHOT_SQL.items()}
        columns = self.query(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name WHERE c.table_schema = 'public' "
            "AND t.table_type = 'BASE TABLE' AND (c.column_name LIKE 'qlibra%%' "
            "OR c.table_name LIKE 'qlibra%%') ORDER BY c.table_name, c.column_name"
        )
        tables = {}
        for table, column in columns:
            if column not in VOLATILE:
                tables.setdefault(table, []).append(column)
        rows = {}
        for table, cols in tables.items():
            ids = self.query(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = "
                "'public' AND table_name = %s AND column_name = 'id'",
                [table],
            )
            if ids and "id" not in cols:
                cols = ["id", *cols]
            select = ", ".join(f'"{col}"::text' for col in cols)
            found = self.query(f'SELECT {select} FROM "{table}"')
            # by id; rows of a relation table (no id) by their values
            rows[table] = {row[0] if ids else row: row for row in found}
        return figures, rows

    def compare(self, name, before, after, rows=False):
        """Record one check per snapshot comparison."""
        diffs = [
            f"{key}: {before[0][key]} -> {after[0].get(key)}"
            for key in before[0]
            if before[0][key] != after[0].get(key)
        ]
        if rows:
            for table in sorted(set(before[1]) | set(after[1])):
                old, new = before[1].get(table, {}), after[1].get(table, {})
                changed = sorted(
                    (
                        key
                        for key in set(old) | set(new)
                        if old.get(key) != new.get(key)
                    ),
                    key=str,
                )
                if changed:
                    diffs.append(
                        f"{table}: {len(changed)} rows differ (ids {changed[:5]})"
                    )
        detail = (
            "; ".join(diffs)
            if diffs
            else ", ".join(f"{key}={value}" for key, value in after[0].items())
        )
        return self.result(name, not diffs, detail)

    # -- the checks -----------------------------------------------------------
    def clean_checks(self):
        modules = tuple(self.modules)
        found = self.query(
            "SELECT relname || ' (' || relkind::text || ')' FROM pg_class "
            "WHERE relname ILIKE '%%qlibra%%' UNION ALL "
            "SELECT conname || ' (constraint)' FROM pg_constraint "
            "WHERE conname ILIKE '%%qlibra%%' UNION ALL "
            "SELECT proname || ' (function)' FROM pg_proc "
            "WHERE proname ILIKE '%%qlibra%%'"
        )
        self.result(
            "no relation, constraint or function named qlibra left",
            not found,
            ", ".join(row[0] for row in found),
        )
        found = self.query(
            "SELECT table_name || '.' || column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name ILIKE 'qlibra%%'"
        )
        self.result(
            "no column named qlibra_% left",
            not found,
            ", ".join(row[0] for row in found),
        )
        for table, sql in LEFTOVER_RECORDS.items():
            found = self.query(sql, {"modules": modules})
            self.result(
                f"no {table} record of the add-ons left",
                not found,
                ", ".join(str(row[0]) for row in found[:10]),
            )
        # Any record pointing at a model of the add-ons (messages, followers,
        # activities, attachments, ...), found by its model-name columns.
        leftovers = []
        for table, column in self.query(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name WHERE c.table_schema = 'public' "
            "AND t.table_type = 'BASE TABLE' AND c.data_type = 'character varying' "
            "AND c.column_name IN ('model', 'res_model', 'model_name')"
        ):
            count = self.query(
                f'SELECT count(*) FROM "{table}" WHERE "{column}" LIKE %s',
                ["qlibra.%"],
            )[0][0]
            if count:
                leftovers.append(f"{table}.{column}: {count}")
        self.result(
            "no record refers to a model of the add-ons", not leftovers, leftovers
        )

    def run(self):
        print(f"Odoo log: {self.logfile}", flush=True)
        print("\n-- a. install with demo data", flush=True)
        if not self.install():
            return
        demo = self.snapshot()
        self.result(
            "snapshot after install",
            demo[0]["contracts active"] > 0,
            ", ".join(f"{key}={value}" for key, value in demo[0].items()),
        )

        print("\n-- b. user edits, then module update", flush=True)
        self.shell_checks("user edits before the update", USER_EDITS)
        before = self.snapshot()
        if self.install(update=True):
            self.compare(
                "update keeps every contract, flag and figure",
                before,
                self.snapshot(),
                rows=True,
            )
        self.result(f"view {VIEW} exists after the update", self.view_exists())

        print("\n-- c. uninstall", flush=True)
        rc, out = self.shell(UNINSTALL)
        states = self.module_states()
        self.result(
            "button_immediate_uninstall of " + ",".join(self.modules),
            rc == 0 and all(states.get(name) == "uninstalled" for name in self.modules),
            f"exit status {rc}, module states {states}",
        )
        self.clean_checks()
        self.shell_checks("Odoo works after the uninstall", ODOO_WORKS)

        print("\n-- d. reinstall with demo data", flush=True)
        if self.install():
            self.compare(
                "reinstall gives the demo snapshot again", demo, self.snapshot()
            )
            self.result(f"view {VIEW} exists after the reinstall", self.view_exists())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database (dropped first)")
    parser.add_argument("--addons", default=",".join(MODULES))
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--logfile", help="Odoo log (default: a temporary file)")
    parser.add_argument(
        "--keep-db",
        action="store_true",
        default=os.environ.get("QLIBRA_KEEP_DB") == "1",
        help="keep the database (also QLIBRA_KEEP_DB=1)",
    )
    parser.add_argument(
        "--no-log-check",
        action="store_true",
        help="leave the log check to the caller (setup/run_tests.py)",
    )
    args = parser.parse_args()
    logfile = args.logfile or tempfile.mkstemp(prefix=f"{args.db}.", suffix=".log")[1]
    Path(logfile).write_text("", encoding="utf-8")
    checker = Checker(args.db, args.addons.split(","), args.addons_path, logfile)
    drop_db(args.db)
    try:
        checker.run()
    except Exception as exc:  # a crash of the check itself counts as a failure
        checker.result("upgrade check ran to the end", False, repr(exc))
        raise
    finally:
        if args.keep_db:
            print(f"Keeping database {args.db}")
        else:
            drop_db(args.db)
        if not args.no_log_check:
            offenders = log_offenders(logfile)
            for line in offenders:
                print(line)
            checker.result(
                "no WARNING, ERROR or CRITICAL in the Odoo log",
                not offenders,
                f"{len(offenders)} records in {logfile}",
            )
        print(f"UPGRADE-CHECKS passed={checker.passed} failed={checker.failed}")
    return 1 if checker.failed else 0


if __name__ == "__main__":
    sys.exit(main())
