# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Adoption (issue 14): qLibra added to a firm that already logs its time.

g. Installing both add-ons on a database of plain Odoo (hr_timesheet only)
   that already holds N timesheet lines: the wall time and peak RSS of
   ``python -m odoo -d DB -i qlibra_task,qlibra_task_reports
   --stop-after-init`` in a child process.
h. Creating, in that database, the first contract of a client whose existing
   lines it then covers (100,000 at 1,000,000 lines): ``Contract.create()``
   and the flush that writes the lines, time and peak RSS.

``qlibra_bench_plain_<N>`` (plain hr_timesheet, N lines bulk-inserted with
SQL and checked column by column against lines the ORM creates) is built once
and reused while its marker says N; each measurement installs the add-ons on
a fresh copy of it, ``qlibra_bench_adopt_<N>``, dropped afterwards.
``measure_adoption()`` is the entry point.
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date

from build_data import (
    DB_PREFIXES,
    DESCRIPTIONS,
    HOUR_STEPS,
    MODULES,
    _numbers_equal,
    db_exists,
    drop_db,
    module_state,
    month_start,
    odoo_cli,
    pg_value,
    plan_column_names,
)
from common import ADDONS, log, odoo_registry, superuser_env
from measure import _proc_status, peak_rss_mb, reset_peak_rss

from odoo import SUPERUSER_ID
from odoo.modules.registry import Registry
from odoo.sql_db import close_db
from odoo.tools import SQL

PLAIN_MODULE = "hr_timesheet"
CONTRACT_LINES = 100_000  # lines the new contract covers at full scale
CLIENTS = 50  # the first one is the client that signs the contract
EMPLOYEES = 30
MONTHS = 24
TASKS_PER_PROJECT = 4
BIG_CLIENT_SHARE = 0.8  # of its lines on its first project, the rest on its second
RAISED_EVERY = 3  # every 3rd employee's cost went up after the lines were logged
RAISE = 1.05
MARKER = "qlibra_bench.plain_lines"


def contract_lines(lines):
    """Lines of the client that signs: 100,000 from 200,000 lines up."""
    return min(CONTRACT_LINES, lines // 2)


def measure_adoption(lines, args, figures, rows):
    """Items g and h on N = lines; fills figures and rows."""
    plain = f"qlibra_bench_plain_{lines}"
    adopted = f"qlibra_bench_adopt_{lines}"
    figures["adoption_lines"] = lines
    ensure_plain_database(plain, lines, args.batch, rebuild=args.rebuild)
    log(f"g. installing {','.join(MODULES)} on a copy of {plain}")
    copy_database(plain, adopted)
    try:
        measure_install(adopted, figures, rows)
        measure_contract(adopted, lines, args, figures, rows)
    finally:
        Registry.delete(adopted)
        close_db(adopted)
        drop_db(adopted)


# ----------------------------------------------------------------------
# The database of plain Odoo
# ----------------------------------------------------------------------
def ensure_plain_database(dbname, lines, batch, rebuild=False):
    if not dbname.startswith(DB_PREFIXES):
        raise SystemExit(f"Refusing to build {dbname}: not a benchmark database.")
    if not rebuild and plain_marker(dbname) == lines:
        log(f"Reusing {dbname} ({lines:,} lines of plain {PLAIN_MODULE})")
        return
    log(f"Building {dbname}: {PLAIN_MODULE} only, {lines:,} timesheet lines")
    started = time.perf_counter()
    if db_exists(dbname):
        drop_db(dbname)
    code, output = odoo_cli(dbname, "-i", PLAIN_MODULE)
    if code or module_state(dbname, PLAIN_MODULE) != "installed":
        raise SystemExit(f"Cannot install {PLAIN_MODULE}:\n{output[-4000:]}")
    build_plain_data(dbname, lines, batch)
    log(f"Database {dbname} built in {time.perf_counter() - started:.0f} s")


def plain_marker(dbname):
    if not db_exists(dbname):
        return None
    value = pg_value(
        dbname,
        SQL("SELECT value FROM ir_config_parameter WHERE key = %s", MARKER),
        check=False,
    )
    return int(value) if value and value.isdigit() else None


def build_plain_data(dbname, lines, batch):
    # Commits in steps, marker last: a script building a database, not
    # add-on code. pylint: disable=invalid-commit
    registry = odoo_registry(dbname)
    context = {"tracking_disable": True, "mail_create_nolog": True, "lang": "en_US"}
    with superuser_env(registry, context) as env:
        cr = env.cr
        data = create_plain_master_data(env, lines)
        create_plain_staging_tables(cr, data)
        verification = verify_plain_sql(env, data)
        cr.commit()
        days = (data["today"] - data["start"]).days + 1
        for first in range(1, lines + 1, batch):
            last = min(lines, first + batch - 1)
            generate_plain_inputs(cr, first, last, data, days)
            inserted = insert_plain_lines(cr, "adopt_input", SUPERUSER_ID)
            cr.execute("DROP TABLE adopt_input")
            cr.commit()
            log(f"Plain timesheet lines {first:,}..{last:,} inserted ({inserted:,})")
        # The task totals hr_timesheet stores, as the ORM would have left them.
        tasks = data["tasks"]
        for field in tasks._fields.values():
            depends = env.registry.field_depends[field]
            if (
                field.store
                and field.compute
                and any(dep.startswith("timesheet_ids") for dep in depends)
            ):
                env.add_to_compute(field, tasks)
        env.flush_all()
        # Costs rose after the time was logged: Odoo keeps the amounts of
        # existing lines, and so must qLibra's frozen hourly cost.
        for employee in data["employees"][::RAISED_EVERY]:
            employee.hourly_cost = round(employee.hourly_cost * RAISE, 2)
        cr.execute("DROP TABLE IF EXISTS adopt_target, adopt_task, adopt_employee")
        env["ir.config_parameter"].set_param(
            "qlibra_bench.plain_verified", str(verification)
        )
        cr.commit()
    pg_value(dbname, SQL("VACUUM ANALYZE"))
    with superuser_env(registry) as env:
        env["ir.config_parameter"].set_param(MARKER, str(lines))
    # No session may stay on the template of CREATE DATABASE.
    Registry.delete(dbname)
    close_db(dbname)


def create_plain_master_data(env, lines):
    """Employees, clients, projects and tasks of plain Odoo, via the ORM."""
    today = date.today()
    start = month_start(today, MONTHS - 1)
    employees = env["hr.employee"].create(
        [
            {
                "name": f"Adoption Employee {i + 1:02d}",
                "hourly_cost": (
                    0.0 if i == EMPLOYEES - 1 else round(20 + (i * 173 % 4000) / 100, 2)
                ),
            }
            for i in range(EMPLOYEES)
        ]
    )
    clients = env["res.partner"].create(
        [
            {"name": f"Adoption Client {i + 1:03d}", "is_company": True}
            for i in range(CLIENTS)
        ]
    )
    project_vals = [
        {"name": f"{client.name} - Main", "partner_id": client.id} for client in clients
    ]
    # The signing client's second project: targets 0 and 1 of the lines.
    project_vals.insert(
        1, {"name": f"{clients[0].name} - Extra", "partner_id": clients[0].id}
    )
    project_vals.append({"name": "Adoption Internal"})
    projects = env["project.project"].create(
        [dict(vals, allow_timesheets=True) for vals in project_vals]
    )
    tasks = env["project.task"].create(
        [
            {"name": f"Task {k + 1}", "project_id": project.id}
            for project in projects
            for k in range(TASKS_PER_PROJECT)
        ]
    )
    env.flush_all()
    return {
        "today": today,
        "start": start,
        "employees": employees,
        "clients": clients,
        "projects": projects,
        "tasks": tasks,
        "contract_lines": contract_lines(lines),
    }


def create_plain_staging_tables(cr, data):
    """Targets 0 and 1: the signing client's projects; 2..: the others."""
    projects = data["projects"]
    cr.execute(
        """DROP TABLE IF EXISTS adopt_target, adopt_task, adopt_employee;
           CREATE TABLE adopt_target (bucket int PRIMARY KEY, project_id int);
           CREATE TABLE adopt_task (project_id int, k int, task_id int,
                                    PRIMARY KEY (project_id, k));
           CREATE TABLE adopt_employee (k int PRIMARY KEY, employee_id int)"""
    )
    cr.execute(
        "INSERT INTO adopt_target SELECT * FROM unnest(%s::int[], %s::int[])",
        [list(range(len(projects))), projects.ids],
    )
    cr.execute(
        """INSERT INTO adopt_task
           SELECT project_id,
                  row_number() OVER (PARTITION BY project_id ORDER BY id) - 1, id
             FROM project_task WHERE project_id = ANY(%s)""",
        [projects.ids],
    )
    cr.execute(
        "INSERT INTO adopt_employee SELECT * FROM unnest(%s::int[], %s::int[])",
        [list(range(EMPLOYEES)), data["employees"].ids],
    )


def generate_plain_inputs(cr, first, last, data, days):
    """Inputs of lines first..last: the first contract_lines lines are the
    signing client's, the others spread evenly over the other projects."""

    def uniform(k):
        return SQL("((hashint8(seq * 8 + %s)::bigint + 2147483648) / 4294967296.0)", k)

    others = len(data["projects"]) - 2
    cr.execute(
        SQL(
            """DROP TABLE IF EXISTS adopt_input;
            CREATE UNLOGGED TABLE adopt_input AS
            WITH r AS (
                SELECT seq, %(u1)s AS u1, %(u2)s AS u2, %(u3)s AS u3,
                       %(u4)s AS u4, %(u5)s AS u5, %(u6)s AS u6
                  FROM generate_series(%(first)s::bigint, %(last)s::bigint) seq
            )
            SELECT r.seq, tg.project_id, tk.task_id, e.employee_id,
                   (%(start)s::date + floor(r.u3 * %(days)s)::int) AS date,
                   0.25 * (1 + floor(r.u4 * %(hour_steps)s)::int) AS hours,
                   (%(descriptions)s::varchar[])[1 + floor(r.u5 * %(ndesc)s)::int]
                       AS name
              FROM r
              JOIN adopt_target tg ON tg.bucket = CASE
                   WHEN r.seq <= %(signing)s THEN (r.u1 >= %(share)s)::int
                   ELSE 2 + floor(r.u1 * %(others)s)::int END
              JOIN adopt_task tk ON tk.project_id = tg.project_id
                                AND tk.k = floor(r.u2 * %(tasks)s)::int
              JOIN adopt_employee e ON e.k = floor(r.u6 * %(employees)s)::int""",
            u1=uniform(1),
            u2=uniform(2),
            u3=uniform(3),
            u4=uniform(4),
            u5=uniform(5),
            u6=uniform(6),
            first=first,
            last=last,
            start=data["start"],
            days=days,
            hour_steps=HOUR_STEPS,
            descriptions=list(DESCRIPTIONS),
            ndesc=len(DESCRIPTIONS),
            signing=data["contract_lines"],
            share=BIG_CLIENT_SHARE,
            others=others,
            tasks=TASKS_PER_PROJECT,
            employees=EMPLOYEES,
        )
    )


def insert_plain_lines(cr, table, uid):
    """Insert the lines of an input table as plain hr_timesheet writes them:
    company, partner (task's, else project's), analytic account and plan
    columns from the project, company time unit, employee's user, department
    and manager, company currency, parent task, amount = -hours x hourly
    cost rounded to the currency."""
    plan_columns = plan_column_names(cr)
    extra_cols = SQL().join(SQL(", %s", SQL.identifier(col)) for col in plan_columns)
    extra_vals = SQL().join(
        SQL(", %s", SQL.identifier("p", col)) for col in plan_columns
    )
    cr.execute(
        SQL(
            """
        INSERT INTO account_analytic_line (
            name, date, unit_amount, amount, account_id %(extra_cols)s,
            product_uom_id, partner_id, user_id, company_id, currency_id,
            category, task_id, parent_task_id, project_id, employee_id,
            department_id, manager_id,
            create_uid, write_uid, create_date, write_date)
        SELECT i.name, i.date, i.hours,
               round(-(i.hours::numeric) * COALESCE(emp.hourly_cost, 0), 2),
               p.account_id %(extra_vals)s,
               co.project_time_mode_id, COALESCE(t.partner_id, p.partner_id),
               emp.user_id, co.id, co.currency_id, 'other', t.id, t.parent_id,
               p.id, emp.id, emp.department_id, emp.parent_id,
               %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM %(table)s i
          JOIN project_task t ON t.id = i.task_id
          JOIN project_project p ON p.id = i.project_id
          JOIN hr_employee emp ON emp.id = i.employee_id
          JOIN res_company co
            ON co.id = COALESCE(t.company_id, p.company_id, emp.company_id)
      ORDER BY i.seq""",
            extra_cols=extra_cols,
            extra_vals=extra_vals,
            table=SQL.identifier(table),
            uid=uid,
        )
    )
    return cr.rowcount


def verify_plain_sql(env, data):
    """Lines created through the ORM and through the SQL, from the same
    inputs (every employee x every hour value): every column but id,
    create_date and write_date must be equal, else the script stops."""
    cr = env.cr
    tasks = data["tasks"]
    days = (data["today"] - data["start"]).days + 1
    inputs = []
    for e_index, employee in enumerate(data["employees"]):
        for step in range(HOUR_STEPS):
            k = len(inputs)
            task = tasks[(k * 7 + e_index) % len(tasks)]
            day = date.fromordinal(data["start"].toordinal() + (k * 37) % days)
            hours = 0.25 * (step + 1)
            inputs.append(
                (k, task.project_id.id, task.id, employee.id, day, hours, f"s-{k}")
            )
    cr.execute(
        """DROP TABLE IF EXISTS adopt_sample;
           CREATE TEMP TABLE adopt_sample (seq bigint, project_id int, task_id int,
               employee_id int, date date, hours numeric, name varchar)"""
    )
    cr.execute(SQL("INSERT INTO adopt_sample VALUES %s", SQL(",").join(inputs)))
    orm_lines = env["account.analytic.line"].create(
        [
            {
                "name": name,
                "project_id": project_id,
                "task_id": task_id,
                "employee_id": employee_id,
                "date": day,
                "unit_amount": hours,
            }
            for _k, project_id, task_id, employee_id, day, hours, name in inputs
        ]
    )
    env.flush_all()
    last_orm_id = max(orm_lines.ids)
    if insert_plain_lines(cr, "adopt_sample", env.uid) != len(inputs):
        raise SystemExit("The plain SQL insert missed sample lines")
    cr.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = 'account_analytic_line'
              AND column_name NOT IN ('id', 'create_date', 'write_date')
         ORDER BY ordinal_position"""
    )
    columns = [row[0] for row in cr.fetchall()]
    select = SQL(", ").join(SQL.identifier(col) for col in columns)
    rows = {}
    for side, where in (
        ("orm", SQL("id = ANY(%s)", orm_lines.ids)),
        ("sql", SQL("id > %s", last_orm_id)),
    ):
        cr.execute(
            SQL("SELECT name, %s FROM account_analytic_line WHERE %s", select, where)
        )
        rows[side] = {row[0]: row[1:] for row in cr.fetchall()}
    differences = []
    for name, orm_row in rows["orm"].items():
        sql_row = rows["sql"].get(name)
        if sql_row is None:
            differences.append(f"{name}: missing from the SQL insert")
            continue
        for col, orm_value, sql_value in zip(columns, orm_row, sql_row, strict=True):
            if orm_value != sql_value and not _numbers_equal(orm_value, sql_value):
                differences.append(
                    f"{name}.{col}: ORM {orm_value!r} != SQL {sql_value!r}"
                )
    if differences:
        raise SystemExit(
            "The plain SQL insert does not write what hr_timesheet writes "
            f"({len(differences)} differences):\n  " + "\n  ".join(differences[:40])
        )
    cr.execute(
        "DELETE FROM account_analytic_line WHERE id = ANY(%s) OR id > %s",
        [orm_lines.ids, last_orm_id],
    )
    env.invalidate_all()
    log(
        f"Plain SQL insert verified against hr_timesheet: {len(inputs)} lines x "
        f"{len(columns)} columns identical"
    )
    return {"lines": len(inputs), "columns": len(columns)}


def copy_database(template, dbname):
    if not dbname.startswith(DB_PREFIXES):
        raise SystemExit(f"Refusing to create {dbname}: not a benchmark database.")
    drop_db(dbname)
    started = time.perf_counter()
    pg_value(
        "postgres",
        SQL(
            "CREATE DATABASE %s TEMPLATE %s",
            SQL.identifier(dbname),
            SQL.identifier(template),
        ),
    )
    log(f"  {dbname} copied from {template} in {time.perf_counter() - started:.0f} s")


# ----------------------------------------------------------------------
# g. The installation
# ----------------------------------------------------------------------
def measure_install(dbname, figures, rows):
    """One run: the child's wall time and peak RSS (its rusage, from wait4)."""
    cmd = [
        sys.executable,
        "-m",
        "odoo",
        f"--addons-path={ADDONS}",
        "-d",
        dbname,
        "-i",
        ",".join(MODULES),
        "--stop-after-init",
        "--log-level=info",
        "--without-demo=all",
    ]
    log("  $ " + " ".join(cmd))
    with tempfile.TemporaryFile(mode="w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=output, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        log_text = output.read()
    states = {module: module_state(dbname, module) for module in MODULES}
    if process.returncode or any(state != "installed" for state in states.values()):
        raise SystemExit(
            f"Installing {MODULES} on {dbname} failed ({states}):\n{log_text[-4000:]}"
        )
    peak = usage.ru_maxrss / 1024.0  # kB -> MB
    loaded = {
        module: float(seconds)
        for module, seconds in re.findall(
            r"Module (\w+) loaded in ([0-9.]+)s", log_text
        )
    }
    figures["adoption_install_seconds"] = round(elapsed, 1)
    figures["adoption_install_peak_rss_mb"] = round(peak, 1)
    figures["adoption_install_module_seconds"] = {
        module: loaded[module]
        for module in ("report_xlsx", *MODULES)
        if module in loaded
    }
    figures.update(check_adopted_lines(dbname))
    note = ", ".join(
        f"{module} {seconds:.0f} s"
        for module, seconds in figures["adoption_install_module_seconds"].items()
    )
    rows.append(
        (
            "g",
            f"install {'+'.join(MODULES)}",
            elapsed,
            None,
            peak,
            1,
            f"{figures['adoption_timesheet_lines']:,} lines; {note}",
        )
    )
    log(f"  installed in {elapsed:.1f} s, peak RSS {peak:.0f} MB ({note})")


def check_adopted_lines(dbname):
    """What the installation left on the existing lines, checked in SQL."""

    def value(query):
        return pg_value(dbname, SQL(query))

    figures = {
        "adoption_timesheet_lines": value(
            "SELECT count(*) FROM account_analytic_line WHERE project_id IS NOT NULL"
        ),
        # The frozen hourly cost gives Odoo's amount to the cent on every line.
        "adoption_lines_cost_mismatch": value(
            """SELECT count(*) FROM account_analytic_line
                WHERE project_id IS NOT NULL AND ABS(
                      amount + unit_amount * COALESCE(qlibra_hourly_cost, 0)) >= 0.01"""
        ),
        "adoption_lines_without_client": value(
            """SELECT count(*) FROM account_analytic_line l
                 JOIN project_project p ON p.id = l.project_id
                WHERE p.partner_id IS NOT NULL AND l.qlibra_partner_id IS NULL"""
        ),
    }
    wrong = [
        key
        for key in (
            "adoption_lines_cost_mismatch",
            "adoption_lines_without_client",
        )
        if figures[key]
    ]
    if wrong:
        log(f"  WRONG after the installation: {figures}")
    return figures


# ----------------------------------------------------------------------
# h. The first contract of a client with existing lines
# ----------------------------------------------------------------------
def measure_contract(dbname, lines, args, figures, rows):
    """Contract.create() + flush as the administrator, each run in its own
    transaction rolled back afterwards; one warm-up run first."""
    log("h. first contract of a client with existing lines")
    registry = odoo_registry(dbname)
    expected = contract_lines(lines)
    times, peaks, growths, queries = [], [], [], []
    covered = None
    started = time.perf_counter()
    for index in range(args.runs + 1):
        with superuser_env(registry) as superuser:
            cr = superuser.cr
            admin = superuser.ref("base.user_admin")
            env = superuser(user=admin, context={"lang": "en_US", "tz": "UTC"})
            client = env["res.partner"].search(
                [("name", "=", "Adoption Client 001")], limit=1
            )
            cr.execute(
                "SELECT min(date) FROM account_analytic_line WHERE partner_id = %s",
                [client.id],
            )
            date_start = cr.fetchone()[0]
            env.invalidate_all()
            rss_before = _proc_status("VmRSS")
            resettable = reset_peak_rss()
            count = cr.sql_log_count
            begin = time.perf_counter()
            contract = env["qlibra.contract"].create(
                {
                    "partner_id": client.id,
                    "contract_type": "hourly",
                    "hourly_rate": 95.0,
                    "date_start": date_start,
                    "user_id": admin.id,
                }
            )
            env.flush_all()
            elapsed = time.perf_counter() - begin
            peak = peak_rss_mb(resettable)
            count = cr.sql_log_count - count
            cr.execute(
                """SELECT count(*), COALESCE(sum(qlibra_revenue), 0)
                          - 95 * COALESCE(sum(unit_amount), 0)
                     FROM account_analytic_line WHERE qlibra_contract_id = %s""",
                [contract.id],
            )
            covered, revenue_gap = cr.fetchone()
            cr.rollback()
        log(f"  {'warm-up' if index == 0 else 'run'}: {elapsed:.3f} s")
        if index or elapsed > 60:
            times.append(elapsed)
            peaks.append(peak)
            growths.append(peak - rss_before if rss_before else None)
            queries.append(count)
        if index and time.perf_counter() - started > args.budget:
            log(f"  time budget reached after {index} runs")
            break
    seconds = statistics.median(times)
    figures.update(
        {
            "contract_lines_expected": expected,
            "contract_lines_covered": covered,
            "contract_revenue_gap": float(revenue_gap),
            "contract_seconds": round(seconds, 3),
            "contract_queries": int(statistics.median(queries)),
            "contract_peak_rss_mb": round(max(peaks), 1),
            "contract_rss_growth_mb": (
                round(max(g for g in growths if g is not None), 1)
                if any(g is not None for g in growths)
                else None
            ),
            "contract_runs": len(times),
        }
    )
    if covered != expected or abs(revenue_gap) > 0.005:
        log(f"  WRONG: the contract covers {covered} lines, expected {expected}")
    rows.append(
        (
            "h",
            "first contract: create() + flush",
            seconds,
            figures["contract_queries"],
            figures["contract_peak_rss_mb"],
            len(times),
            f"covers {covered:,} existing lines, RSS +"
            f"{figures['contract_rss_growth_mb'] or 0:.0f} MB",
        )
    )
