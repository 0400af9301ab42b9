#!/usr/bin/env python3
# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmarks of qLibra Task at scale, side by side with Odoo's own equivalents.

Usage: ``python3 benchmarks/run.py --lines N`` (default 1,000,000).

1. Builds the database ``qlibra_bench_<N>`` (or reuses it when its marker says
   it holds that scale): both add-ons without demo data, 300 clients of the
   four contract types, 60 employees with hourly costs, projects and tasks,
   24 months of timesheet lines bulk-inserted with SQL. The SQL rows are
   checked column by column against lines the ORM creates from the same
   inputs; any difference stops the script.
2. Measures, each as the median of several interleaved runs, the items a-f of
   issue 6 (see README.md next to this file).
3. Prints a table, then as its very last line one JSON object with every
   figure.
"""

import argparse
import io
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ADDONS = os.path.dirname(HERE)
MODULES = ("qlibra_task", "qlibra_task_reports")
CLIENTS = 300
EMPLOYEES = 60
MONTHS = 24
TASKS_PER_PROJECT = 6
OVERHEAD_RATE = 20.0
HOUR_STEPS = 16  # hours of a line: 0.25 .. 4.00 in quarter hours
MEAN_HOURS = 0.25 * (HOUR_STEPS + 1) / 2
INTERNAL_SHARE = 0.02  # time on an internal project without client
CONTRACT_PATTERN = (
    "subscription",
    "subscription",
    "subscription",
    "subscription",
    "fixed_price",
    "fixed_price",
    "hourly",
    "hourly",
    "hourly",
    "non_billable",
)
DESCRIPTIONS = (
    "Bookkeeping",
    "Payroll",
    "Client call",
    "Review of documents",
    "Tax return",
    "Meeting",
    "Correspondence",
    "Reconciliation",
)
XLSX_TARGET_LINES = 100_000
TARGETS = {
    "ratio_pivot_vs_odoo": ("<=", 1.5),
    "kpi_queries_100": ("==", "kpi_queries_300"),
    "ratio_pdf_vs_odoo": ("<=", 1.3),
    "ratio_xlsx_vs_bare": (">=", 0.33),
    "cron_seconds": ("<=", 10.0),
}


def log(message):
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------
# Memory: peak RSS per measured step
# ----------------------------------------------------------------------
def _proc_status(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0  # kB -> MB
    return None


def reset_peak_rss():
    """Reset the kernel's high-water mark of this process (Linux >= 4.0).

    Returns False when it cannot: then the peak is the process' lifetime peak
    (ru_maxrss), which only ever grows.
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb(resettable):
    if resettable:
        return _proc_status("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ----------------------------------------------------------------------
# Database handling (only qlibra_bench_* / bench_* databases are touched)
# ----------------------------------------------------------------------
def psql(dbname, sql, check=True):
    result = subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", dbname, "-c", sql],
        capture_output=True,
        text=True,
    )
    if check and result.returncode:
        raise RuntimeError(f"psql on {dbname} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def db_exists(dbname):
    return (
        psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'") == "1"
    )


def drop_db(dbname):
    if not dbname.startswith(("qlibra_bench_", "bench_")):
        raise SystemExit(f"Refusing to drop {dbname}: not a benchmark database.")
    psql("postgres", f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def db_marker(dbname):
    """The scale recorded in the database, or None."""
    if not db_exists(dbname):
        return None
    value = psql(
        dbname,
        "SELECT value FROM ir_config_parameter WHERE key = 'qlibra_bench.lines'",
        check=False,
    )
    return int(value) if value.isdigit() else None


def odoo_cli(dbname, *args):
    cmd = [
        sys.executable,
        "-m",
        "odoo",
        f"--addons-path={ADDONS}",
        "-d",
        dbname,
        "--stop-after-init",
        "--log-level=warn",
        "--without-demo=all",
        *args,
    ]
    log("$ " + " ".join(cmd))
    result = subprocess.run(cmd, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def install(dbname):
    """Create the database with both add-ons, without demo data.

    Falls back to qlibra_task alone when qlibra_task_reports does not install
    (the reports' items are then skipped).
    """
    code, output = odoo_cli(dbname, "-i", ",".join(MODULES))
    if code == 0 and module_state(dbname, MODULES[1]) == "installed":
        return
    log(f"Installing {MODULES[1]} failed, continuing without it:\n{output[-2000:]}")
    drop_db(dbname)
    code, output = odoo_cli(dbname, "-i", MODULES[0])
    if code != 0 or module_state(dbname, MODULES[0]) != "installed":
        raise SystemExit(f"Cannot install {MODULES[0]}:\n{output[-4000:]}")


def module_state(dbname, module):
    return psql(
        dbname, f"SELECT state FROM ir_module_module WHERE name = '{module}'", False
    )


def update_modules(dbname):
    """Bring a reused database to the add-ons' current code."""
    installed = [m for m in MODULES if module_state(dbname, m) == "installed"]
    missing = [m for m in MODULES if m not in installed]
    code, output = odoo_cli(dbname, "-u", ",".join(installed))
    if code:
        raise SystemExit(f"Updating {installed} failed:\n{output[-4000:]}")
    if missing:
        code, output = odoo_cli(dbname, "-i", ",".join(missing))
        if code:
            log(f"Installing {missing} failed:\n{output[-2000:]}")


# ----------------------------------------------------------------------
# Odoo in this process
# ----------------------------------------------------------------------
def odoo_registry(dbname):
    from odoo.tools import config

    if not getattr(odoo_registry, "configured", False):
        config.parse_config(
            [f"--addons-path={ADDONS}", "-d", dbname, "--log-level=warn"]
        )
        odoo_registry.configured = True
    from odoo.modules.registry import Registry

    return Registry(dbname)


# ----------------------------------------------------------------------
# 1. Building the data
# ----------------------------------------------------------------------
def month_start(day, months_back=0):
    from dateutil.relativedelta import relativedelta

    return day.replace(day=1) - relativedelta(months=months_back)


def client_weights(count):
    """Skewed activity: the busiest client logs about 4.7% of all lines.

    At 1,000,000 lines over 24 months its busiest month holds about 2,000.
    """
    raw = [1.0 / (rank + 5) for rank in range(count)]
    total = sum(raw)
    return [weight / total for weight in raw]


def create_master_data(env, lines):
    """Company, employees, clients, contracts, projects and tasks via the ORM."""
    from dateutil.relativedelta import relativedelta

    today = date.today()
    start = month_start(today, MONTHS - 1)
    company = env.ref("base.main_company")
    company.qlibra_overhead_rate = OVERHEAD_RATE
    admin = env.ref("base.user_admin")
    admin.groups_id = [
        (4, env.ref("qlibra_task.group_qlibra_manager").id),
        (4, env.ref("hr_timesheet.group_timesheet_manager").id),
    ]

    departments = env["hr.department"].create(
        [{"name": f"Bench Department {d + 1}"} for d in range(4)]
    )
    employees = env["hr.employee"].create(
        [
            {
                "name": f"Bench Employee {i + 1:02d}",
                "department_id": departments[i % 4].id,
                # Cents on purpose, so that amounts need rounding. The last
                # employee has no hourly cost (time counted as free).
                "hourly_cost": (
                    0.0 if i == EMPLOYEES - 1 else round(18 + (i * 137 % 4500) / 100, 2)
                ),
            }
            for i in range(EMPLOYEES)
        ]
    )
    for i, employee in enumerate(employees):
        if i >= 4:
            employee.parent_id = employees[i % 4]

    clients = env["res.partner"].create(
        [
            {"name": f"Bench Client {i + 1:03d}", "is_company": True}
            for i in range(CLIENTS)
        ]
    )
    weights = client_weights(CLIENTS)
    contract_vals = []
    for i, client in enumerate(clients):
        ctype = CONTRACT_PATTERN[i % len(CONTRACT_PATTERN)]
        monthly_lines = lines * (1 - INTERNAL_SHARE) * weights[i] / MONTHS
        vals = {
            "partner_id": client.id,
            "contract_type": ctype,
            # Every 9th client signed 5 months in: its earlier time is
            # covered by no contract.
            "date_start": start + relativedelta(months=5 if i % 9 == 4 else 0),
            "target_margin": 20.0 + (i % 3) * 10,
            "user_id": admin.id,
        }
        if ctype == "subscription":
            hours = monthly_lines * MEAN_HOURS
            factor = (0.8, 0.95, 1.1, 1.3)[i % 4]
            vals.update(
                {
                    "monthly_fee": 400.0 + (i * 53 % 26) * 100,
                    "included_hours": max(1.0, round(hours * factor)),
                    "overage_rate": 0.0 if i % 3 == 0 else 40.0 + (i % 5) * 10,
                }
            )
        elif ctype == "hourly":
            vals["hourly_rate"] = 60.0 + (i % 10) * 10
        contract_vals.append(vals)
    contracts = env["qlibra.contract"].create(contract_vals)

    project_vals = []
    for i, (client, contract) in enumerate(zip(clients, contracts, strict=True)):
        project_vals.append(
            {
                "name": f"{client.name} - Main",
                "partner_id": client.id,
                "qlibra_contract_id": contract.id,
                "allow_timesheets": True,
            }
        )
        if i % 10 == 7:
            # A project without contract: the client's only valid contract
            # applies (the partner rule).
            project_vals.append(
                {
                    "name": f"{client.name} - Extra",
                    "partner_id": client.id,
                    "allow_timesheets": True,
                }
            )
    project_vals.append({"name": "Bench Internal", "allow_timesheets": True})
    projects = env["project.project"].create(project_vals)

    # Renegotiations: every 8th subscription took a new contract 12 months in;
    # its projects move to the new one, earlier time stays on the old one.
    renewals = [
        {
            "partner_id": contract.partner_id.id,
            "contract_type": "subscription",
            "previous_contract_id": contract.id,
            "date_start": start + relativedelta(months=12),
            "monthly_fee": contract.monthly_fee * 1.1,
            "included_hours": contract.included_hours,
            "overage_rate": contract.overage_rate,
            "target_margin": contract.target_margin,
            "user_id": admin.id,
        }
        for i, contract in enumerate(contracts)
        if contract.contract_type == "subscription" and i % 8 == 0
    ]
    env["qlibra.contract"].create(renewals)

    task_vals = []
    for project in projects:
        contract = project.qlibra_contract_id
        for k in range(TASKS_PER_PROJECT):
            vals = {
                "name": f"Task {k + 1}",
                "project_id": project.id,
                "qlibra_is_change_request": k == TASKS_PER_PROJECT - 1,
            }
            if contract.contract_type == "fixed_price" and k < 5:
                vals["qlibra_fixed_price"] = (
                    2000.0 + ((project.id * 7 + k * 13) % 20) * 500
                )
            task_vals.append(vals)
    tasks = env["project.task"].create(task_vals)
    done = tasks.filtered(
        lambda t: (
            t.qlibra_contract_type == "fixed_price" and t.name in ("Task 1", "Task 2")
        )
    )
    done.state = "1_done"
    for task in done:
        task.qlibra_date_done = start + relativedelta(
            months=6 if task.name == "Task 1" else 14
        )
    env.flush_all()
    return {
        "start": start,
        "today": today,
        "employees": employees,
        "clients": clients,
        "projects": projects,
        "tasks": tasks,
        "weights": weights,
    }


def create_staging_tables(cr, data):
    """Lookup tables that turn uniform random numbers into line inputs."""
    projects = data["projects"]
    weights = data["weights"]
    targets = []  # (project_id, probability)
    by_client = {}
    for project in projects:
        by_client.setdefault(project.partner_id.id, []).append(project)
    for client, weight in zip(data["clients"], weights, strict=True):
        share = weight * (1 - INTERNAL_SHARE)
        client_projects = by_client[client.id]
        if len(client_projects) == 1:
            targets.append((client_projects[0].id, share))
        else:
            targets.append((client_projects[0].id, share * 0.85))
            targets.append((client_projects[1].id, share * 0.15))
    targets.append((by_client[False][0].id, INTERNAL_SHARE))
    bounds, acc = [], 0.0
    for _project, share in targets[:-1]:
        acc += share
        bounds.append(acc)
    cr.execute(
        """DROP TABLE IF EXISTS bench_target, bench_task, bench_employee;
           CREATE TABLE bench_target (bucket int PRIMARY KEY, project_id int);
           CREATE TABLE bench_task (project_id int, k int, task_id int,
                                    PRIMARY KEY (project_id, k));
           CREATE TABLE bench_employee (k int PRIMARY KEY, employee_id int);"""
    )
    cr.execute(
        "INSERT INTO bench_target SELECT * FROM unnest(%s::int[], %s::int[])",
        [list(range(len(targets))), [project for project, _share in targets]],
    )
    cr.execute(
        """INSERT INTO bench_task
           SELECT project_id,
                  row_number() OVER (PARTITION BY project_id ORDER BY id) - 1, id
             FROM project_task WHERE project_id = ANY(%s)""",
        [projects.ids],
    )
    cr.execute(
        "INSERT INTO bench_employee SELECT * FROM unnest(%s::int[], %s::int[])",
        [list(range(EMPLOYEES)), data["employees"].ids],
    )
    return bounds


def generate_inputs(cr, table, first, last, bounds, start, days):
    """Inputs of lines first..last: deterministic hashes of the sequence."""

    def uniform(k):
        return f"((hashint8(seq * 8 + {k})::bigint + 2147483648) / 4294967296.0)"

    cr.execute(
        f"""DROP TABLE IF EXISTS {table};
            CREATE UNLOGGED TABLE {table} AS
            WITH r AS (
                SELECT seq, {uniform(1)} AS u1, {uniform(2)} AS u2,
                       {uniform(3)} AS u3, {uniform(4)} AS u4,
                       {uniform(5)} AS u5, {uniform(6)} AS u6
                  FROM generate_series(%(first)s::bigint, %(last)s::bigint) seq
            )
            SELECT r.seq, tg.project_id, tk.task_id, e.employee_id,
                   (%(start)s::date + floor(r.u3 * %(days)s)::int) AS date,
                   0.25 * (1 + floor(r.u4 * {HOUR_STEPS})::int) AS hours,
                   (%(descriptions)s::varchar[])[1 + floor(r.u5 * %(ndesc)s)::int]
                       AS name
              FROM r
              JOIN bench_target tg ON tg.bucket = width_bucket(r.u1, %(bounds)s)
              JOIN bench_task tk ON tk.project_id = tg.project_id
                                AND tk.k = floor(r.u2 * {TASKS_PER_PROJECT})::int
              JOIN bench_employee e ON e.k = floor(r.u6 * {EMPLOYEES})::int""",
        {
            "first": first,
            "last": last,
            "start": start,
            "days": days,
            "descriptions": list(DESCRIPTIONS),
            "ndesc": len(DESCRIPTIONS),
            "bounds": bounds,
        },
    )


def insert_lines_sql(cr, table, uid):
    """Insert the lines of an input table as the ORM would write them.

    hr_timesheet: company, partner (task's, else project's), analytic account
    and plan columns from the project, product_uom_id (company time unit),
    user (employee's), department and manager (employee's), currency
    (company's), parent task, amount = -hours x hourly cost rounded to the
    currency. qlibra_task: overhead rate of the company, cost = -amount x
    (1 + rate / 100) rounded to the currency, change-request flag of the task,
    contract = the task's contract valid on the date (following the
    renegotiation chain), else the project's, else the client's only
    contract (archived ones included) valid on the date in the line's
    company; partner = the contract's client, else the commercial partner of
    the line; contract type and hourly revenue (hours x hourly rate of an
    hourly contract, rounded to the currency) from the contract.
    """
    plan_columns = plan_column_names(cr)
    extra_cols = "".join(f", {col}" for col in plan_columns)
    extra_vals = "".join(f", p.{col}" for col in plan_columns)
    cr.execute(
        """
        DROP TABLE IF EXISTS bench_chain;
        CREATE TEMP TABLE bench_chain AS
        WITH RECURSIVE chain(head_id, contract_id, depth) AS (
            SELECT id, id, 0 FROM qlibra_contract
            UNION ALL
            SELECT ch.head_id, c.previous_contract_id, ch.depth + 1
              FROM chain ch JOIN qlibra_contract c ON c.id = ch.contract_id
             WHERE c.previous_contract_id IS NOT NULL AND ch.depth < 100
        )
        SELECT ch.head_id, ch.contract_id, ch.depth, c.date_start, c.date_end
          FROM chain ch JOIN qlibra_contract c ON c.id = ch.contract_id;
        CREATE INDEX ON bench_chain (head_id);
        ANALYZE bench_chain;
        """
    )
    cr.execute(
        f"""
        INSERT INTO account_analytic_line (
            name, date, unit_amount, amount, account_id {extra_cols},
            product_uom_id, partner_id, user_id, company_id, currency_id,
            category, task_id, parent_task_id, project_id, employee_id,
            department_id, manager_id, qlibra_contract_id, qlibra_partner_id,
            qlibra_overhead_rate, qlibra_cost, qlibra_is_change_request,
            qlibra_contract_type, qlibra_revenue,
            create_uid, write_uid, create_date, write_date)
        SELECT i.name, i.date, i.hours, l.amount, p.account_id {extra_vals},
               co.project_time_mode_id, l.partner_id, emp.user_id, l.company_id,
               co.currency_id, 'other', t.id, t.parent_id, p.id, emp.id,
               emp.department_id, emp.parent_id, cn.contract_id,
               COALESCE(cc.partner_id, cp.commercial_partner_id),
               co.qlibra_overhead_rate,
               round(-l.amount * (1 + co.qlibra_overhead_rate::numeric / 100), 2),
               COALESCE(t.qlibra_is_change_request, false),
               cc.contract_type,
               CASE WHEN cc.contract_type = 'hourly'
                    THEN round(i.hours::numeric * COALESCE(cc.hourly_rate, 0), 2)
                    ELSE 0 END,
               %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM {table} i
          JOIN project_task t ON t.id = i.task_id
          JOIN project_project p ON p.id = i.project_id
          JOIN hr_employee emp ON emp.id = i.employee_id
          CROSS JOIN LATERAL (
              SELECT COALESCE(t.company_id, p.company_id, emp.company_id) AS company_id,
                     COALESCE(t.partner_id, p.partner_id) AS partner_id,
                     round(-(i.hours::numeric) * COALESCE(emp.hourly_cost, 0), 2)
                         AS amount
          ) l
          JOIN res_company co ON co.id = l.company_id
          LEFT JOIN res_partner cp ON cp.id = l.partner_id
          LEFT JOIN LATERAL (
              SELECT ch.contract_id FROM bench_chain ch
               WHERE ch.head_id = t.qlibra_contract_id
                 AND ch.date_start <= i.date
                 AND (ch.date_end IS NULL OR i.date <= ch.date_end)
            ORDER BY ch.depth LIMIT 1
          ) tc ON true
          LEFT JOIN LATERAL (
              SELECT ch.contract_id FROM bench_chain ch
               WHERE ch.head_id = p.qlibra_contract_id
                 AND ch.date_start <= i.date
                 AND (ch.date_end IS NULL OR i.date <= ch.date_end)
            ORDER BY ch.depth LIMIT 1
          ) pc ON tc.contract_id IS NULL
          LEFT JOIN LATERAL (
              SELECT CASE WHEN count(*) = 1 THEN min(c.id) END AS contract_id
                FROM qlibra_contract c
               WHERE c.partner_id = cp.commercial_partner_id
                 AND c.company_id = l.company_id
                 AND c.date_start <= i.date
                 AND (c.date_end IS NULL OR i.date <= c.date_end)
          ) fc ON tc.contract_id IS NULL AND pc.contract_id IS NULL
          CROSS JOIN LATERAL (
              SELECT COALESCE(tc.contract_id, pc.contract_id, fc.contract_id)
                  AS contract_id
          ) cn
          LEFT JOIN qlibra_contract cc ON cc.id = cn.contract_id
      ORDER BY i.seq
        """,
        {"uid": uid},
    )
    return cr.rowcount


def plan_column_names(cr):
    """Analytic plan columns besides account_id (one per extra root plan)."""
    cr.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = 'account_analytic_line'
              AND column_name ~ '^x_plan[0-9]+_id$'"""
    )
    return [row[0] for row in cr.fetchall()]


def verify_sql_against_orm(env, data, bounds):
    """Create sample lines through the ORM and through the SQL; compare.

    The sample crosses every employee (hourly cost) with every hour value,
    so that each amount and cost rounding case of the bulk data is checked,
    on tasks and dates spread over every project, contract and period.
    """
    cr = env.cr
    uid = env.uid
    tasks = data["tasks"]
    employees = data["employees"]
    days = (data["today"] - data["start"]).days + 1
    inputs = []
    k = 0
    for e_index, employee in enumerate(employees):
        for step in range(HOUR_STEPS):
            task = tasks[(k * 7 + e_index) % len(tasks)]
            day = data["start"].toordinal() + (k * 37) % days
            inputs.append(
                (
                    k,
                    task.project_id.id,
                    task.id,
                    employee.id,
                    date.fromordinal(day),
                    0.25 * (step + 1),
                    f"bench-sample-{k}",
                )
            )
            k += 1
    # Boundary dates of every contract of a renegotiated client.
    for contract in env["qlibra.contract"].search(
        [("previous_contract_id", "!=", False)]
    ):
        project_tasks = tasks.filtered(lambda t, c=contract: t.qlibra_contract_id == c)
        if not project_tasks:
            raise SystemExit(
                f"No task follows the renegotiated contract {contract.name}"
            )
        for day in (
            contract.date_start,
            contract.previous_contract_id.date_end,
            contract.previous_contract_id.date_start,
        ):
            task = project_tasks[k % len(project_tasks)]
            inputs.append(
                (
                    k,
                    task.project_id.id,
                    task.id,
                    employees[k % EMPLOYEES].id,
                    day,
                    1.25,
                    f"bench-sample-{k}",
                )
            )
            k += 1
    cr.execute(
        """DROP TABLE IF EXISTS bench_sample;
           CREATE TEMP TABLE bench_sample (seq bigint, project_id int, task_id int,
               employee_id int, date date, hours numeric, name varchar)"""
    )
    cr.execute(
        "INSERT INTO bench_sample VALUES " + ",".join(["%s"] * len(inputs)), inputs
    )
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
    cr.execute("SELECT max(id) FROM account_analytic_line")
    last_orm_id = cr.fetchone()[0]
    inserted = insert_lines_sql(cr, "bench_sample", uid)
    if inserted != len(inputs):
        raise SystemExit(
            f"SQL inserted {inserted} sample lines, expected {len(inputs)}"
        )
    cr.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = 'account_analytic_line'
              AND column_name NOT IN ('id', 'create_date', 'write_date')
         ORDER BY ordinal_position"""
    )
    columns = [row[0] for row in cr.fetchall()]
    select = ", ".join(f'"{col}"' for col in columns)
    cr.execute(
        f"SELECT name, {select} FROM account_analytic_line WHERE id = ANY(%s)",
        [orm_lines.ids],
    )
    orm_rows = {row[0]: row[1:] for row in cr.fetchall()}
    cr.execute(
        f"SELECT name, {select} FROM account_analytic_line WHERE id > %s", [last_orm_id]
    )
    sql_rows = {row[0]: row[1:] for row in cr.fetchall()}
    differences = []
    for name, orm_row in orm_rows.items():
        sql_row = sql_rows.get(name)
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
            "The SQL bulk insert does not write what the ORM writes "
            f"({len(differences)} differences):\n  " + "\n  ".join(differences[:40])
        )
    cr.execute(
        "SELECT count(DISTINCT qlibra_contract_id), count(*) FILTER "
        "(WHERE qlibra_contract_id IS NULL) FROM account_analytic_line WHERE id > %s",
        [last_orm_id],
    )
    contracts_hit, uncovered = cr.fetchone()
    cr.execute(
        "DELETE FROM account_analytic_line WHERE id = ANY(%s) OR id > %s",
        [orm_lines.ids, last_orm_id],
    )
    env.invalidate_all()
    # The ORM lines touched their tasks' stored totals: recompute them back.
    refresh_dependents(env, tasks)
    log(
        f"SQL insert verified against the ORM: {len(inputs)} lines x "
        f"{len(columns)} columns identical ({contracts_hit} contracts, "
        f"{uncovered} lines without contract)"
    )
    return {"verified_lines": len(inputs), "verified_columns": len(columns)}


def _numbers_equal(left, right):
    """Same number stored as float and as numeric (e.g. 8.5 and Decimal('8.50'))."""
    numbers = (int, float, Decimal)
    if not (isinstance(left, numbers) and isinstance(right, numbers)):
        return False
    return Decimal(repr(left) if isinstance(left, float) else left) == Decimal(
        repr(right) if isinstance(right, float) else right
    )


def refresh_dependents(env, tasks):
    """Recompute what depends on timesheet lines (task hours, progress...).

    Exactly the ORM's mechanism: mark the lines' fields as modified for one
    line of each task, so that every stored field depending on them is
    recomputed; tasks without lines are recomputed directly.
    """
    cr = env.cr
    Line = env["account.analytic.line"]
    cr.execute(
        "SELECT DISTINCT ON (task_id) id FROM account_analytic_line "
        "WHERE task_id IS NOT NULL ORDER BY task_id, id"
    )
    representatives = Line.browse([row[0] for row in cr.fetchall()])
    stored = [name for name, field in Line._fields.items() if field.store]
    representatives.modified(stored)
    Task = env["project.task"]
    for field in Task._fields.values():
        depends = env.registry.field_depends[field]
        if (
            field.store
            and field.compute
            and any(dep.startswith("timesheet_ids") for dep in depends)
        ):
            env.add_to_compute(field, tasks)
    env.flush_all()


def build_database(dbname, lines, batch):
    from odoo import SUPERUSER_ID, api

    if db_exists(dbname):
        drop_db(dbname)
    started = time.perf_counter()
    install(dbname)
    log(f"Add-ons installed in {time.perf_counter() - started:.0f} s")
    registry = odoo_registry(dbname)
    context = {
        "tracking_disable": True,
        "mail_create_nolog": True,
        "mail_notrack": True,
        "lang": "en_US",
    }
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, context)
        data = create_master_data(env, lines)
        bounds = create_staging_tables(cr, data)
        verification = verify_sql_against_orm(env, data, bounds)
        cr.commit()
        days = (data["today"] - data["start"]).days + 1
        for first in range(1, lines + 1, batch):
            last = min(lines, first + batch - 1)
            generate_inputs(cr, "bench_input", first, last, bounds, data["start"], days)
            inserted = insert_lines_sql(cr, "bench_input", SUPERUSER_ID)
            cr.execute("DROP TABLE bench_input")
            cr.commit()
            log(f"Timesheet lines {first:,}..{last:,} inserted ({inserted:,})")
        refresh_dependents(env, data["tasks"])
        check_task_totals(cr)
        cr.execute("DROP TABLE IF EXISTS bench_target, bench_task, bench_employee")
        env["ir.config_parameter"].set_param(
            "qlibra_bench.verified", json.dumps(verification)
        )
        env["ir.config_parameter"].set_param("qlibra_bench.start", str(data["start"]))
        cr.commit()
    psql(dbname, "VACUUM ANALYZE")
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        # The marker last: an interrupted build is never reused.
        env["ir.config_parameter"].set_param("qlibra_bench.lines", str(lines))
    log(f"Database {dbname} built in {time.perf_counter() - started:.0f} s")


def check_task_totals(cr):
    cr.execute(
        """SELECT count(*) FROM project_task t
            LEFT JOIN (SELECT task_id, sum(unit_amount) AS hours
                         FROM account_analytic_line GROUP BY task_id) s
                   ON s.task_id = t.id
            WHERE abs(COALESCE(t.effective_hours, 0) - COALESCE(s.hours, 0)) > 0.001"""
    )
    wrong = cr.fetchone()[0]
    if wrong:
        raise SystemExit(f"{wrong} tasks have stale effective hours after the load")


# ----------------------------------------------------------------------
# 2. Measuring
# ----------------------------------------------------------------------
class Step:
    """A measured step: times, query counts and peak RSS of each run."""

    def __init__(self, key, label, fn, cursor=None):
        self.key = key
        self.label = label
        self.fn = fn
        self.cursor = cursor
        self.times = []
        self.queries = []
        self.peaks = []
        self.result = None
        self.last = None

    def run(self, env, measured=True):
        env.invalidate_all()
        cr = self.cursor or env.cr
        resettable = reset_peak_rss()
        queries = cr.sql_log_count
        started = time.perf_counter()
        self.result = self.fn()
        elapsed = time.perf_counter() - started
        if self.cursor is None:
            queries = cr.sql_log_count - queries
        else:
            queries = self.result.pop("queries")
        self.last = (elapsed, queries, peak_rss_mb(resettable))
        if measured:
            self.keep_last()
        return elapsed

    def keep_last(self):
        elapsed, queries, peak = self.last
        self.times.append(elapsed)
        self.queries.append(queries)
        self.peaks.append(peak)

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


def measure_all(dbname, args):
    from odoo import SUPERUSER_ID, api

    registry = odoo_registry(dbname)
    figures = {"lines": args.lines, "database": dbname, "runs": args.runs}
    skipped = {}
    rows = []  # (item, label, seconds, queries, peak MB, note)
    with registry.cursor() as cr:
        admin = api.Environment(cr, SUPERUSER_ID, {}).ref("base.user_admin").id
        env = api.Environment(cr, admin, {"lang": "en_US", "tz": "UTC"})
        cr.execute(
            "SELECT count(*) FROM account_analytic_line WHERE project_id IS NOT NULL"
        )
        figures["timesheet_lines"] = cr.fetchone()[0]
        verified = env["ir.config_parameter"].sudo().get_param("qlibra_bench.verified")
        if verified:
            figures.update(json.loads(verified))
        figures["rss_method"] = (
            "VmHWM after clear_refs=5" if reset_peak_rss() else "ru_maxrss (lifetime)"
        )
        measure_pivot(env, args, figures, rows)
        measure_partner_figures(env, args, figures, rows)
        measure_pdf(env, args, figures, rows, skipped)
        measure_xlsx(env, args, figures, rows, skipped)
        cr.rollback()
    measure_cron(registry, args, figures, rows, skipped)
    figures["skipped"] = skipped
    return figures, rows


def measure_pivot(env, args, figures, rows):
    log("a. pivot read")
    cr = env.cr
    Report = env["qlibra.profitability.report"]
    Odoo = env["timesheets.analysis.report"]
    groupby = ["partner_id", "date:month"]

    def qlibra():
        return Report.read_group(
            [],
            ["hours:sum", "cost:sum", "revenue:sum", "margin:sum"],
            groupby,
            lazy=False,
        )

    def odoo():
        return Odoo.read_group(
            [], ["unit_amount:sum", "amount:sum"], groupby, lazy=False
        )

    def bare():
        cr.execute(
            """SELECT partner_id, date_trunc('month', date),
                      sum(unit_amount), sum(amount)
                 FROM account_analytic_line WHERE project_id IS NOT NULL
             GROUP BY 1, 2"""
        )
        return cr.fetchall()

    steps = [
        Step("pivot_qlibra", "read_group qlibra.profitability.report", qlibra),
        Step("pivot_odoo", "read_group timesheets.analysis.report", odoo),
        Step("pivot_sql", "bare SQL aggregate", bare),
    ]
    run_interleaved(env, steps, args.runs, args.budget)
    counts = [len(step.result) for step in steps]
    for step, count in zip(steps, counts, strict=True):
        add_row(rows, figures, "a", step, f"{count:,} cells")
    figures["ratio_pivot_vs_odoo"] = ratio(steps[0].seconds, steps[1].seconds)
    figures["ratio_pivot_vs_sql"] = ratio(steps[0].seconds, steps[2].seconds)
    figures["ratio_odoo_pivot_vs_sql"] = ratio(steps[1].seconds, steps[2].seconds)


def measure_partner_figures(env, args, figures, rows):
    log("b. client figures")
    Partner = env["res.partner"]
    fields_ = [
        name
        for name, field in Partner._fields.items()
        if field.compute == "_compute_qlibra_figures"
    ]
    figures["kpi_fields"] = len(fields_)
    clients = Partner.search([("name", "=like", "Bench Client %")], order="id")
    steps = []
    for count in (100, 300):
        partners = clients[:count]
        steps.append(
            Step(
                f"kpi_{count}",
                f"client figures, {count} clients ({len(fields_)} fields)",
                lambda p=partners: p.read(fields_),
            )
        )
        steps.append(
            Step(
                f"names_{count}",
                f"names, {count} clients",
                lambda p=partners: p.read(["name"]),
            )
        )
    run_interleaved(env, steps, args.runs, args.budget)
    for step in steps:
        add_row(rows, figures, "b", step, "")
        figures[f"{step.key}_queries"] = step.query_count
    figures["kpi_queries_100"] = figures.pop("kpi_100_queries")
    figures["kpi_queries_300"] = figures.pop("kpi_300_queries")
    figures["names_queries_100"] = figures.pop("names_100_queries")
    figures["names_queries_300"] = figures.pop("names_300_queries")


def busiest_client_month(cr):
    cr.execute(
        """SELECT qlibra_partner_id, date_trunc('month', date)::date, count(*)
             FROM account_analytic_line
            WHERE project_id IS NOT NULL AND qlibra_partner_id IS NOT NULL
         GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 1"""
    )
    return cr.fetchone()


def report_action(env, xmlid):
    return env.ref(xmlid, raise_if_not_found=False)


def measure_pdf(env, args, figures, rows, skipped):
    log("c. statement PDF")
    from dateutil.relativedelta import relativedelta

    xmlid = "qlibra_task_reports.action_report_client_statement"
    if not report_action(env, xmlid):
        skipped["pdf"] = f"{xmlid} does not exist in this database"
        log(f"  skipped: {skipped['pdf']}")
        return
    cr = env.cr
    partner_id, month, count = busiest_client_month(cr)
    month_end = month + relativedelta(months=1, days=-1)
    cr.execute(
        """SELECT id FROM account_analytic_line
            WHERE qlibra_partner_id = %s AND project_id IS NOT NULL
              AND date BETWEEN %s AND %s ORDER BY date, id""",
        [partner_id, month, month_end],
    )
    line_ids = [row[0] for row in cr.fetchall()]
    data = {"date_from": str(month), "date_to": str(month_end)}
    Report = env["ir.actions.report"]
    steps = [
        Step(
            "pdf_qlibra",
            "statement PDF (qlibra_task_reports)",
            lambda: Report._render_qweb_pdf(xmlid, [partner_id], data=data)[0],
        ),
        Step(
            "pdf_odoo",
            "timesheet PDF (hr_timesheet.timesheet_report)",
            lambda: Report._render_qweb_pdf("hr_timesheet.timesheet_report", line_ids)[
                0
            ],
        ),
    ]
    run_interleaved(env, steps, min(args.runs, 3), args.budget)
    for step in steps:
        pages = len(re.findall(rb"/Type\s*/Page[^s]", step.result))
        add_row(rows, figures, "c", step, f"{count:,} lines, {pages} pages")
        figures[f"{step.key}_pages"] = pages
    figures["pdf_lines"] = count
    figures["pdf_month"] = str(month)
    figures["ratio_pdf_vs_odoo"] = ratio(steps[0].seconds, steps[1].seconds)


def xlsx_selection(cr, target):
    """Busiest clients and a period ending today holding about target lines."""
    cr.execute(
        """SELECT qlibra_partner_id, count(*) FROM account_analytic_line
            WHERE project_id IS NOT NULL AND qlibra_partner_id IS NOT NULL
         GROUP BY 1 ORDER BY 2 DESC, 1"""
    )
    partners, total = [], 0
    for partner_id, count in cr.fetchall():
        partners.append(partner_id)
        total += count
        if total >= target:
            break
    cr.execute(
        """SELECT date, count(*) FROM account_analytic_line
            WHERE project_id IS NOT NULL AND qlibra_partner_id = ANY(%s)
         GROUP BY 1 ORDER BY 1 DESC""",
        [partners],
    )
    days = cr.fetchall()
    total = 0
    date_from = days[-1][0]
    for day, count in days:
        total += count
        if total >= target:
            date_from = day
            break
    return partners, date_from, days[0][0], total


def measure_xlsx(env, args, figures, rows, skipped):
    log("d. statement XLSX")
    xmlid = "qlibra_task_reports.action_report_client_statement_xlsx"
    if not report_action(env, xmlid):
        skipped["xlsx"] = f"{xmlid} does not exist in this database"
        log(f"  skipped: {skipped['xlsx']}")
        return
    import xlsxwriter

    cr = env.cr
    target = min(XLSX_TARGET_LINES, figures["timesheet_lines"])
    partners, date_from, date_to, count = xlsx_selection(cr, target)
    data = {"date_from": str(date_from), "date_to": str(date_to)}
    Report = env["ir.actions.report"]

    def bare():
        cr.execute(
            """SELECT aal.qlibra_partner_id, aal.date, COALESCE(c.name, ''),
                      COALESCE(p.name->>'en_US', ''), COALESCE(t.name, ''),
                      COALESCE(e.name, ''), aal.name, aal.unit_amount,
                      aal.qlibra_is_change_request
                 FROM account_analytic_line aal
                 JOIN project_project p ON p.id = aal.project_id
            LEFT JOIN project_task t ON t.id = aal.task_id
            LEFT JOIN hr_employee e ON e.id = aal.employee_id
            LEFT JOIN qlibra_contract c ON c.id = aal.qlibra_contract_id
                WHERE aal.qlibra_partner_id = ANY(%s)
                  AND aal.date BETWEEN %s AND %s
             ORDER BY aal.qlibra_partner_id, aal.date, aal.id""",
            [partners, date_from, date_to],
        )
        return write_bare_xlsx(xlsxwriter, cr.fetchall())

    steps = [
        Step(
            "xlsx_qlibra",
            "statement XLSX (qlibra_task_reports)",
            lambda: Report._render_xlsx(xmlid, partners, data)[0],
        ),
        Step("xlsx_bare", "bare SQL + xlsxwriter, same rows", bare),
    ]
    run_interleaved(env, steps, min(args.runs, 3), args.budget)
    for step in steps:
        rate = count / step.seconds if step.seconds else None
        figures[f"{step.key}_rows_per_s"] = round(rate) if rate else None
        add_row(rows, figures, "d", step, f"{count:,} lines, {rate:,.0f} rows/s")
    figures["xlsx_lines"] = count
    figures["xlsx_clients"] = len(partners)
    figures["ratio_xlsx_vs_bare"] = ratio(steps[1].seconds, steps[0].seconds)


def write_bare_xlsx(xlsxwriter, records):
    """The statement's line table, written with xlsxwriter directly."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    hours_format = workbook.add_format({"num_format": "#,##0.00"})
    header_format = workbook.add_format({"bold": True})
    headers = (
        "Date",
        "Contract",
        "Project",
        "Task",
        "Employee",
        "Description",
        "Hours",
        "Change-request Hours",
    )
    sheet, row, current, first = None, 0, None, 0

    def close(sheet, row, first):
        if sheet is not None:
            sheet.write_formula(row, 6, f"=SUM(G{first + 1}:G{row})", hours_format)
            sheet.write_formula(row, 7, f"=SUM(H{first + 1}:H{row})", hours_format)

    for (
        partner_id,
        day,
        contract,
        project,
        task,
        employee,
        name,
        hours,
        is_cr,
    ) in records:
        if partner_id != current:
            close(sheet, row, first)
            sheet = workbook.add_worksheet(f"Client {partner_id}")
            for col, header in enumerate(headers):
                sheet.write_string(5, col, header, header_format)
            row, first, current = 6, 6, partner_id
        sheet.write_datetime(row, 0, day, date_format)
        sheet.write_string(row, 1, contract)
        sheet.write_string(row, 2, project)
        sheet.write_string(row, 3, task)
        sheet.write_string(row, 4, employee)
        sheet.write_string(row, 5, name)
        sheet.write_number(row, 6, hours, hours_format)
        sheet.write_number(row, 7, hours if is_cr else 0.0, hours_format)
        row += 1
    close(sheet, row, first)
    workbook.close()
    return output.getvalue()


def measure_cron(registry, args, figures, rows, skipped):
    log("e. warning action")
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if not hasattr(env["qlibra.contract"], "_cron_raise_warnings"):
            skipped["cron"] = "qlibra.contract._cron_raise_warnings does not exist"
            log(f"  skipped: {skipped['cron']}")
            return
        cr.execute("SELECT count(*) FROM qlibra_contract WHERE active")
        figures["cron_contracts"] = cr.fetchone()[0]
        cr.rollback()

    def cron():
        # Each run in its own transaction, rolled back: every run raises the
        # same warnings (activities, chatter notes) from the same state.
        with registry.cursor() as cron_cr:
            cron_env = api.Environment(cron_cr, SUPERUSER_ID, {})
            queries = cron_cr.sql_log_count
            warnings = cron_env["qlibra.contract"]._cron_raise_warnings()
            cron_env.flush_all()
            result = {
                "queries": cron_cr.sql_log_count - queries,
                "warnings": len(warnings) if warnings is not None else None,
            }
            cron_cr.rollback()
        return result

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        step = Step("cron", "warning action over all clients", cron, cursor=cr)
        run_interleaved(env, [step], args.runs, args.budget)
        cr.rollback()
    warnings = step.result.get("warnings")
    add_row(
        rows,
        figures,
        "e",
        step,
        f"{warnings} warnings raised, {figures['cron_contracts']} contracts",
    )
    figures["cron_seconds"] = figures.pop("cron_s")
    figures["cron_warnings"] = warnings


def ratio(numerator, denominator):
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 3)


def add_row(rows, figures, item, step, note):
    rows.append(
        (
            item,
            step.label,
            step.seconds,
            step.query_count,
            step.peak,
            len(step.times),
            note,
        )
    )
    figures[f"{step.key}_s"] = (
        round(step.seconds, 4) if step.seconds is not None else None
    )
    figures[f"{step.key}_queries"] = step.query_count
    figures[f"{step.key}_peak_rss_mb"] = round(step.peak, 1) if step.peak else None
    figures[f"{step.key}_runs"] = len(step.times)


# ----------------------------------------------------------------------
# 3. Report
# ----------------------------------------------------------------------
def check_targets(figures):
    results = {}
    for key, (operator, bound) in TARGETS.items():
        value = figures.get(key)
        if isinstance(bound, str):
            bound = figures.get(bound)
        if value is None or bound is None:
            results[key] = None
        elif operator == "<=":
            results[key] = value <= bound
        elif operator == ">=":
            results[key] = value >= bound
        else:
            results[key] = value == bound
    return results


def print_table(figures, rows):
    print()
    print(
        f"qLibra benchmark: {figures['timesheet_lines']:,} timesheet lines "
        f"in {figures['database']} ({figures['rss_method']})"
    )
    header = (
        f"{'':2} {'step':52} {'median s':>10} {'queries':>8} "
        f"{'peak RSS MB':>12} {'runs':>5}  note"
    )
    print(header)
    print("-" * len(header))
    for item, label, seconds, queries, peak, runs, note in rows:
        seconds_text = f"{seconds:10.3f}" if seconds is not None else f"{'-':>10}"
        peak_text = f"{peak:12.0f}" if peak is not None else f"{'-':>12}"
        print(
            f"{item:2} {label:52} {seconds_text} {queries!s:>8} "
            f"{peak_text} {runs:>5}  {note}"
        )
    for key, reason in figures["skipped"].items():
        print(f"   {key}: skipped ({reason})")
    print()
    print("Targets (issue 6):")
    for key, met in figures["targets"].items():
        operator, bound = TARGETS[key]
        state = {True: "met", False: "MISSED", None: "not measured"}[met]
        print(f"  {key} = {figures.get(key)} (target {operator} {bound}): {state}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="timesheet lines")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per step")
    parser.add_argument(
        "--budget", type=float, default=600.0, help="seconds of runs per item, at most"
    )
    parser.add_argument("--db", help="database name (default qlibra_bench_<lines>)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database")
    parser.add_argument(
        "--no-update",
        action="store_true",
        help="reuse the database without updating the add-ons to the current code",
    )
    parser.add_argument("--batch", type=int, default=250_000, help="lines per insert")
    args = parser.parse_args()
    dbname = args.db or f"qlibra_bench_{args.lines}"
    if not dbname.startswith(("qlibra_bench_", "bench_")):
        raise SystemExit("The database name must start with qlibra_bench_ or bench_.")
    if args.rebuild or db_marker(dbname) != args.lines:
        log(f"Building {dbname} with {args.lines:,} timesheet lines")
        build_database(dbname, args.lines, args.batch)
        built = True
    else:
        log(f"Reusing {dbname} ({args.lines:,} lines)")
        built = False
        if not args.no_update:
            update_modules(dbname)
    figures, rows = measure_all(dbname, args)
    figures["database_built_now"] = built
    figures["targets"] = check_targets(figures)
    print_table(figures, rows)
    sys.stdout.flush()
    print(json.dumps(figures, default=str, sort_keys=True))


if __name__ == "__main__":
    main()
