# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The benchmark's database ``qlibra_bench_<N>``: built once, then reused.

Both add-ons without demo data, 300 clients of the four contract types, 60
employees with hourly costs, projects and tasks through the ORM, then 24
months of timesheet lines bulk-inserted with SQL. The SQL rows are checked
column by column against lines the ORM creates from the same inputs; any
difference stops the script. ``ensure_database()`` is the entry point.
"""

import json
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal

import psycopg2
from common import ADDONS, log, odoo_registry, superuser_env
from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID
from odoo.tools import SQL

MODULES = ("qlibra_task", "qlibra_task_reports")
DB_PREFIXES = ("qlibra_bench_", "bench_")  # the only databases ever dropped
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


def ensure_database(dbname, lines, batch, rebuild=False, update=True):
    """Build dbname with lines timesheet lines, or reuse it when its marker
    says it holds that scale (updating the add-ons unless update is False).

    Returns whether the database was built now.
    """
    if not dbname.startswith(DB_PREFIXES):
        raise SystemExit("The database name must start with qlibra_bench_ or bench_.")
    if rebuild or db_marker(dbname) != lines:
        log(f"Building {dbname} with {lines:,} timesheet lines")
        build_database(dbname, lines, batch)
        return True
    log(f"Reusing {dbname} ({lines:,} lines)")
    if update:
        update_modules(dbname)
    return False


# ----------------------------------------------------------------------
# Database handling (only qlibra_bench_* / bench_* databases are touched)
# ----------------------------------------------------------------------
def pg_value(dbname, query, check=True):
    """Run query (an odoo.tools.SQL) on dbname in autocommit mode, outside
    Odoo's connection pool; return the first column of its first row, or
    None (also on an error when check is False)."""
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


def db_exists(dbname):
    query = SQL("SELECT 1 FROM pg_database WHERE datname = %s", dbname)
    return pg_value("postgres", query) == 1


def drop_db(dbname):
    if not dbname.startswith(DB_PREFIXES):
        raise SystemExit(f"Refusing to drop {dbname}: not a benchmark database.")
    query = SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(dbname))
    pg_value("postgres", query)


def db_marker(dbname):
    """The scale recorded in the database, or None."""
    if not db_exists(dbname):
        return None
    value = pg_value(
        dbname,
        SQL("SELECT value FROM ir_config_parameter WHERE key = 'qlibra_bench.lines'"),
        check=False,
    )
    return int(value) if value and value.isdigit() else None


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
    query = SQL("SELECT state FROM ir_module_module WHERE name = %s", module)
    return pg_value(dbname, query, check=False)


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
# Building the data
# ----------------------------------------------------------------------
def month_start(day, months_back=0):
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
        return SQL("((hashint8(seq * 8 + %s)::bigint + 2147483648) / 4294967296.0)", k)

    cr.execute(
        SQL(
            """DROP TABLE IF EXISTS %(table)s;
            CREATE UNLOGGED TABLE %(table)s AS
            WITH r AS (
                SELECT seq, %(u1)s AS u1, %(u2)s AS u2,
                       %(u3)s AS u3, %(u4)s AS u4,
                       %(u5)s AS u5, %(u6)s AS u6
                  FROM generate_series(%(first)s::bigint, %(last)s::bigint) seq
            )
            SELECT r.seq, tg.project_id, tk.task_id, e.employee_id,
                   (%(start)s::date + floor(r.u3 * %(days)s)::int) AS date,
                   0.25 * (1 + floor(r.u4 * %(hour_steps)s)::int) AS hours,
                   (%(descriptions)s::varchar[])[1 + floor(r.u5 * %(ndesc)s)::int]
                       AS name
              FROM r
              JOIN bench_target tg ON tg.bucket = width_bucket(r.u1, %(bounds)s)
              JOIN bench_task tk ON tk.project_id = tg.project_id
                                AND tk.k = floor(r.u2 * %(tasks)s)::int
              JOIN bench_employee e ON e.k = floor(r.u6 * %(employees)s)::int""",
            table=SQL.identifier(table),
            u1=uniform(1),
            u2=uniform(2),
            u3=uniform(3),
            u4=uniform(4),
            u5=uniform(5),
            u6=uniform(6),
            first=first,
            last=last,
            start=start,
            days=days,
            hour_steps=HOUR_STEPS,
            descriptions=list(DESCRIPTIONS),
            ndesc=len(DESCRIPTIONS),
            bounds=bounds,
            tasks=TASKS_PER_PROJECT,
            employees=EMPLOYEES,
        )
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
    contract for the whole client (one whose chain holds no project;
    archived ones included) valid on the date in the line's company;
    partner = the contract's client, else the commercial partner of the
    line; contract type and hourly revenue (hours x hourly rate of an
    hourly contract, rounded to the currency) from the contract.
    """
    plan_columns = plan_column_names(cr)
    extra_cols = SQL().join(SQL(", %s", SQL.identifier(col)) for col in plan_columns)
    extra_vals = SQL().join(
        SQL(", %s", SQL.identifier("p", col)) for col in plan_columns
    )
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
        SQL(
            """
        INSERT INTO account_analytic_line (
            name, date, unit_amount, amount, account_id %(extra_cols)s,
            product_uom_id, partner_id, user_id, company_id, currency_id,
            category, task_id, parent_task_id, project_id, employee_id,
            department_id, manager_id, qlibra_contract_id, qlibra_partner_id,
            qlibra_client_id,
            qlibra_overhead_rate, qlibra_hourly_cost, qlibra_cost,
            qlibra_is_change_request, qlibra_own_change_request,
            qlibra_contract_type, qlibra_revenue, qlibra_revenue_currency_id,
            create_uid, write_uid, create_date, write_date)
        SELECT i.name, i.date, i.hours, l.amount, p.account_id %(extra_vals)s,
               co.project_time_mode_id, l.partner_id, emp.user_id, l.company_id,
               co.currency_id, 'other', t.id, t.parent_id, p.id, emp.id,
               emp.department_id, emp.parent_id, cn.contract_id,
               COALESCE(cc.partner_id, cp.commercial_partner_id),
               cp.commercial_partner_id,
               co.qlibra_overhead_rate,
               COALESCE(emp.hourly_cost, 0),
               round(i.hours::numeric * COALESCE(emp.hourly_cost, 0)::numeric
                     * (1 + co.qlibra_overhead_rate::numeric / 100), 2),
               COALESCE(t.qlibra_is_change_request, false),
               false,
               cc.contract_type,
               CASE WHEN cc.contract_type = 'hourly'
                    THEN round(i.hours::numeric * COALESCE(cc.hourly_rate, 0), 2)
                    ELSE 0 END,
               COALESCE(cc.currency_id, co.currency_id),
               %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM %(table)s i
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
          LEFT JOIN LATERAL (%(task_contract)s) tc ON true
          LEFT JOIN LATERAL (%(project_contract)s) pc ON tc.contract_id IS NULL
          LEFT JOIN LATERAL (
              SELECT CASE WHEN count(*) = 1 THEN min(c.id) END AS contract_id
                FROM qlibra_contract c
               WHERE c.partner_id = cp.commercial_partner_id
                 AND c.company_id = l.company_id
                 AND c.date_start <= i.date
                 AND (c.date_end IS NULL OR i.date <= c.date_end)
                 AND c.id NOT IN (
                     SELECT sc.contract_id FROM bench_chain sc
                       JOIN project_project sp ON sp.qlibra_contract_id = sc.head_id)
          ) fc ON tc.contract_id IS NULL AND pc.contract_id IS NULL
          CROSS JOIN LATERAL (
              SELECT COALESCE(tc.contract_id, pc.contract_id, fc.contract_id)
                  AS contract_id
          ) cn
          LEFT JOIN qlibra_contract cc ON cc.id = cn.contract_id
      ORDER BY i.seq
        """,
            extra_cols=extra_cols,
            extra_vals=extra_vals,
            table=SQL.identifier(table),
            task_contract=chain_contract(SQL.identifier("t", "qlibra_contract_id")),
            project_contract=chain_contract(SQL.identifier("p", "qlibra_contract_id")),
            uid=uid,
        )
    )
    return cr.rowcount


def chain_contract(head):
    """The contract of head's renegotiation chain (bench_chain) valid on the
    date of the input line i; head itself, the newest, first."""
    return SQL(
        """SELECT ch.contract_id FROM bench_chain ch
            WHERE ch.head_id = %s
              AND ch.date_start <= i.date
              AND (ch.date_end IS NULL OR i.date <= ch.date_end)
         ORDER BY ch.depth LIMIT 1""",
        head,
    )


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
    cr.execute(SQL("INSERT INTO bench_sample VALUES %s", SQL(",").join(inputs)))
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
    select = SQL(", ").join(SQL.identifier(col) for col in columns)
    cr.execute(
        SQL(
            "SELECT name, %s FROM account_analytic_line WHERE id = ANY(%s)",
            select,
            orm_lines.ids,
        )
    )
    orm_rows = {row[0]: row[1:] for row in cr.fetchall()}
    cr.execute(
        SQL(
            "SELECT name, %s FROM account_analytic_line WHERE id > %s",
            select,
            last_orm_id,
        )
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
    # The build commits in steps (master data, each batch of lines, marker
    # last): pylint-odoo's invalid-commit is meant for add-on code, which runs
    # in a transaction Odoo owns, not for a script that builds a database.
    # pylint: disable=invalid-commit
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
    with superuser_env(registry, context) as env:
        cr = env.cr
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
        # The lines came through SQL: the contract-month store is filled by
        # the product's own rule, as a migration or an import would.
        store_start = time.perf_counter()
        env["qlibra.contract"]._qlibra_refill_months()
        log(f"Contract-month store filled in {time.perf_counter() - store_start:.1f} s")
        cr.execute("DROP TABLE IF EXISTS bench_target, bench_task, bench_employee")
        env["ir.config_parameter"].set_param(
            "qlibra_bench.verified", json.dumps(verification)
        )
        env["ir.config_parameter"].set_param("qlibra_bench.start", str(data["start"]))
        cr.commit()
    pg_value(dbname, SQL("VACUUM ANALYZE"))
    with superuser_env(registry) as env:
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
