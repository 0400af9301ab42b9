# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The benchmark's two databases, built once and reused while their marker
holds the scale (README.md next to this file, "The databases").

``qlibra_bench_<N>`` (``ensure_database()``): both add-ons, master data
through the ORM, N lines. ``qlibra_bench_plain_<N>`` (``ensure_plain_
database()``, adoption.py): plain hr_timesheet, the same way.

The lines are bulk-inserted with SQL (what hr_timesheet writes, and what
qLibra freezes when a line is logged); their contract, client, type and
revenue then come from the product's own set-based rule. Sample lines created
through the ORM and through this path must be equal column by column, else
the script stops.
"""

import json
import time
from datetime import date

from common import (
    check_name,
    db_marker,
    drop_db,
    log,
    module_state,
    odoo_cli,
    odoo_registry,
    pg_value,
    release,
    superuser_env,
)
from dateutil.relativedelta import relativedelta

from odoo.tools import SQL

MODULES = ("qlibra_task", "qlibra_task_reports")
PLAIN_MODULE = "hr_timesheet"
MONTHS = 24
OVERHEAD_RATE = 20.0
HOUR_STEPS = 16  # hours of a line: 0.25 .. 4.00 in quarter hours
MEAN_HOURS = 0.25 * (HOUR_STEPS + 1) / 2
INTERNAL_SHARE = 0.02  # time on an internal project without client
CONTRACT_PATTERN = ("subscription",) * 4 + ("fixed_price",) * 2 + ("hourly",) * 3
CONTRACT_PATTERN += ("non_billable",)
DESCRIPTIONS = ("Bookkeeping", "Payroll", "Client call", "Review of documents")
DESCRIPTIONS += ("Tax return", "Meeting", "Correspondence", "Reconciliation")
# The plain database: 50 clients, the first signs the contract of item h.
PLAIN_CLIENTS, PLAIN_EMPLOYEES, PLAIN_TASKS = 50, 30, 4
CONTRACT_LINES = 100_000  # lines the new contract covers at full scale
BIG_CLIENT_SHARE = 0.8  # of its lines on its first project, the rest on its second
RAISED_EVERY, RAISE = 3, 1.05  # every 3rd employee's cost rose after the lines


def contract_lines(lines):
    """Lines of the client that signs in item h: 100,000 from 200,000 up."""
    return min(CONTRACT_LINES, lines // 2)


def ensure_database(dbname, lines, batch, rebuild=False, update=True):
    """Build or reuse qlibra_bench_<N> (updating the add-ons unless update is
    False); returns whether it was built now."""
    check_name(dbname)
    if not rebuild and db_marker(dbname, "qlibra_bench.lines") == lines:
        log(f"Reusing {dbname} ({lines:,} lines)")
        if update:  # bring it to the add-ons' current code
            installed = [m for m in MODULES if module_state(dbname, m) == "installed"]
            odoo_cli(
                dbname, "-u", ",".join(installed), check=f"Updating {installed} failed"
            )
            missing = [m for m in MODULES if m not in installed]
            code, output = (
                odoo_cli(dbname, "-i", ",".join(missing)) if missing else (0, "")
            )
            if code:
                log(f"Installing {missing} failed:\n{output[-2000:]}")
        return False
    log(f"Building {dbname} with {lines:,} timesheet lines")
    build(dbname, lines, batch, install, qlibra_master_data, "qlibra_bench.lines")
    return True


def ensure_plain_database(dbname, lines, batch, rebuild=False):
    if not rebuild and db_marker(dbname, "qlibra_bench.plain_lines") == lines:
        log(f"Reusing {dbname} ({lines:,} lines of plain {PLAIN_MODULE})")
        return
    log(f"Building {dbname}: {PLAIN_MODULE} only, {lines:,} timesheet lines")
    marker = "qlibra_bench.plain_lines"
    build(dbname, lines, batch, install_plain, plain_master_data, marker)
    release(dbname)  # no session may stay on the template of CREATE DATABASE


def install(dbname):
    """Both add-ons without demo data; qlibra_task alone when the reports do
    not install (their items are then skipped)."""
    code, output = odoo_cli(dbname, "-i", ",".join(MODULES))
    if code == 0 and module_state(dbname, MODULES[1]) == "installed":
        return
    log(f"Installing {MODULES[1]} failed, continuing without it:\n{output[-2000:]}")
    drop_db(dbname)
    install_plain(dbname, MODULES[0])


def install_plain(dbname, module=PLAIN_MODULE):
    odoo_cli(dbname, "-i", module, check=f"Cannot install {module}")
    if module_state(dbname, module) != "installed":
        raise SystemExit(f"Cannot install {module}")


def build(dbname, lines, batch, install_fn, master_data, marker):
    """Install, master data, the verified sample, the lines in batches, the
    stored totals, then the marker last: an interrupted build is never
    reused. The build commits in steps: a script, not add-on code."""
    # pylint: disable=invalid-commit
    drop_db(dbname)
    started = time.perf_counter()
    install_fn(dbname)
    log(f"Installed in {time.perf_counter() - started:.0f} s")
    registry = odoo_registry(dbname)
    context = {"tracking_disable": True, "mail_create_nolog": True}
    context.update(mail_notrack=True, lang="en_US")
    with superuser_env(registry, context) as env:
        cr = env.cr
        data = master_data(env, lines)
        create_staging_tables(cr, data)
        verification = verify_sql_against_orm(env, data)
        cr.commit()
        for first in range(1, lines + 1, batch):
            last = min(lines, first + batch - 1)
            generate_inputs(cr, "bench_input", first, last, data)
            inserted = insert_lines(env, "bench_input")
            cr.execute("DROP TABLE bench_input")
            cr.commit()
            log(f"Timesheet lines {first:,}..{last:,} inserted ({inserted:,})")
        refresh_dependents(env, data["tasks"])
        check_task_totals(cr)
        data["finish"](env)
        cr.execute("DROP TABLE IF EXISTS bench_target, bench_task, bench_employee")
        set_param = env["ir.config_parameter"].set_param
        if "qlibra.contract" in env:
            set_param("qlibra_bench.verified", json.dumps(verification))
            set_param("qlibra_bench.start", str(data["start"]))
        else:
            set_param("qlibra_bench.plain_verified", str(verification))
        cr.commit()
    pg_value(dbname, SQL("VACUUM ANALYZE"))
    with superuser_env(registry) as env:
        env["ir.config_parameter"].set_param(marker, str(lines))
    log(f"Database {dbname} built in {time.perf_counter() - started:.0f} s")


# ----------------------------------------------------------------------
# Master data, through the ORM
# ----------------------------------------------------------------------
def client_weights(count):
    """Skewed activity: the busiest client logs about 4.7% of all lines
    (at 1,000,000 lines over 24 months its busiest month holds about 2,000)."""
    raw = [1.0 / (rank + 5) for rank in range(count)]
    return [weight / sum(raw) for weight in raw]


def people(env, prefix, employees, cost, clients, departments=()):
    """Employees with hourly costs in cents (the last one without: time
    counted as free) and client companies, through the ORM."""
    staff = env["hr.employee"].create(
        [
            {"name": f"{prefix} Employee {i + 1:02d}", "hourly_cost": cost(i)}
            | ({"department_id": departments[i % 4].id} if departments else {})
            for i in range(employees)
        ]
    )
    clients = env["res.partner"].create(
        [
            {"name": f"{prefix} Client {i + 1:03d}", "is_company": True}
            for i in range(clients)
        ]
    )
    return staff, clients


def qlibra_master_data(env, lines, clients=300, employees=60, tasks_per_project=6):
    """Company, employees, clients, contracts, projects and tasks."""
    today = date.today()
    start = today.replace(day=1) - relativedelta(months=MONTHS - 1)
    env.ref("base.main_company").qlibra_overhead_rate = OVERHEAD_RATE
    admin = env.ref("base.user_admin")
    admin.groups_id = [
        (4, env.ref("qlibra_task.group_qlibra_manager").id),
        (4, env.ref("hr_timesheet.group_timesheet_manager").id),
    ]
    departments = env["hr.department"].create(
        [{"name": f"Bench Department {d + 1}"} for d in range(4)]
    )
    staff, partners = people(
        env,
        "Bench",
        employees,
        lambda i: 0.0 if i == employees - 1 else round(18 + (i * 137 % 4500) / 100, 2),
        clients,
        departments,
    )
    for i, employee in enumerate(staff[4:], start=4):
        employee.parent_id = staff[i % 4]
    weights = client_weights(clients)
    contract_vals = []
    for i, client in enumerate(partners):
        ctype = CONTRACT_PATTERN[i % len(CONTRACT_PATTERN)]
        # Every 9th client signed 5 months in: its earlier time is covered by
        # no contract.
        months = 5 if i % 9 == 4 else 0
        vals = {"partner_id": client.id, "contract_type": ctype, "user_id": admin.id}
        vals["date_start"] = start + relativedelta(months=months)
        vals["target_margin"] = 20.0 + (i % 3) * 10
        if ctype == "subscription":
            hours = lines * (1 - INTERNAL_SHARE) * weights[i] / MONTHS * MEAN_HOURS
            vals["monthly_fee"] = 400.0 + (i * 53 % 26) * 100
            vals["included_hours"] = max(
                1.0, round(hours * (0.8, 0.95, 1.1, 1.3)[i % 4])
            )
            vals["overage_rate"] = 0.0 if i % 3 == 0 else 40.0 + (i % 5) * 10
        elif ctype == "hourly":
            vals["hourly_rate"] = 60.0 + (i % 10) * 10
        contract_vals.append(vals)
    contracts = env["qlibra.contract"].create(contract_vals)
    project_vals = []
    for i, (client, contract) in enumerate(zip(partners, contracts, strict=True)):
        main = {"name": f"{client.name} - Main", "partner_id": client.id}
        project_vals.append(main | {"qlibra_contract_id": contract.id})
        if i % 10 == 7:
            # Without contract: the client's only valid contract applies.
            extra = {"name": f"{client.name} - Extra", "partner_id": client.id}
            project_vals.append(extra)
    project_vals.append({"name": "Bench Internal"})
    projects = env["project.project"].create(
        [dict(vals, allow_timesheets=True) for vals in project_vals]
    )
    # Every 8th subscription took a new contract 12 months in; its projects
    # move to the new one, earlier time stays on the old one.
    env["qlibra.contract"].create(
        [
            {
                "partner_id": contract.partner_id.id,
                "contract_type": "subscription",
                "previous_contract_id": contract.id,
                "date_start": start + relativedelta(months=12),
                "monthly_fee": contract.monthly_fee * 1.1,
            }
            | {
                key: contract[key]
                for key in ("included_hours", "overage_rate", "target_margin")
            }
            | {"user_id": admin.id}
            for i, contract in enumerate(contracts)
            if contract.contract_type == "subscription" and i % 8 == 0
        ]
    )
    task_vals = []
    for project in projects:
        fixed = project.qlibra_contract_id.contract_type == "fixed_price"
        for k in range(tasks_per_project):
            vals = {"name": f"Task {k + 1}", "project_id": project.id}
            vals["qlibra_is_change_request"] = k == tasks_per_project - 1
            if fixed and k < 5:
                price = 2000.0 + ((project.id * 7 + k * 13) % 20) * 500
                vals["qlibra_fixed_price"] = price
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

    # Each client's share of the lines: 85% on its first project, 15% on its
    # second; the internal project last. The bucket of a line: width_bucket.
    by_client = {}
    for project in projects:
        by_client.setdefault(project.partner_id.id, []).append(project.id)
    targets, shares = [], []
    for client, weight in zip(partners, weights, strict=True):
        share = weight * (1 - INTERNAL_SHARE)
        own = by_client[client.id]
        splits = (1.0,) if len(own) == 1 else (0.85, 0.15)
        targets += own[: len(splits)]
        shares += [share * split for split in splits]
    targets.append(by_client[False][0])
    bounds, acc = [], 0.0
    for share in shares:
        acc += share
        bounds.append(acc)

    def finish(env):
        # The lines came through SQL: the contract-month store is filled by
        # the product's own rule, as a migration or an import would.
        started = time.perf_counter()
        env["qlibra.contract"]._qlibra_refill_months()
        log(f"Contract-month store filled in {time.perf_counter() - started:.1f} s")

    data = {"start": start, "today": today, "employees": staff, "tasks": tasks}
    data["bucket"] = SQL("width_bucket(r.u1, %s)", bounds)
    data.update(tasks_per_project=tasks_per_project, targets=targets, finish=finish)
    return data


def plain_master_data(env, lines):
    """Plain Odoo: employees, clients, projects and tasks."""
    today = date.today()
    start = today.replace(day=1) - relativedelta(months=MONTHS - 1)
    staff, clients = people(
        env,
        "Adoption",
        PLAIN_EMPLOYEES,
        lambda i: (
            0.0 if i == PLAIN_EMPLOYEES - 1 else round(20 + (i * 173 % 4000) / 100, 2)
        ),
        PLAIN_CLIENTS,
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
            for k in range(PLAIN_TASKS)
        ]
    )
    env.flush_all()

    def finish(env):
        # Costs rose after the time was logged: Odoo keeps the amounts of
        # existing lines, and so must qLibra's frozen hourly cost.
        for employee in staff[::RAISED_EVERY]:
            employee.hourly_cost = round(employee.hourly_cost * RAISE, 2)
        env.flush_all()

    data = {"start": start, "today": today, "employees": staff, "tasks": tasks}
    # The first lines are the signing client's; the others spread evenly.
    data["bucket"] = SQL(
        "CASE WHEN r.seq <= %s THEN (r.u1 >= %s)::int"
        " ELSE 2 + floor(r.u1 * %s)::int END",
        contract_lines(lines),
        BIG_CLIENT_SHARE,
        len(projects) - 2,
    )
    data.update(tasks_per_project=PLAIN_TASKS, targets=projects.ids, finish=finish)
    return data


# ----------------------------------------------------------------------
# The lines
# ----------------------------------------------------------------------
def create_staging_tables(cr, data):
    """Lookup tables that turn uniform random numbers into line inputs."""
    targets, employees = data["targets"], data["employees"].ids
    cr.execute(
        """DROP TABLE IF EXISTS bench_target, bench_task, bench_employee;
           CREATE TABLE bench_target (bucket int PRIMARY KEY, project_id int);
           CREATE TABLE bench_task (project_id int, k int, task_id int,
                                    PRIMARY KEY (project_id, k));
           CREATE TABLE bench_employee (k int PRIMARY KEY, employee_id int);
           INSERT INTO bench_target SELECT * FROM unnest(%s::int[], %s::int[]);
           INSERT INTO bench_task
           SELECT project_id,
                  row_number() OVER (PARTITION BY project_id ORDER BY id) - 1, id
             FROM project_task WHERE project_id = ANY(%s);
           INSERT INTO bench_employee SELECT * FROM unnest(%s::int[], %s::int[])""",
        [list(range(len(targets))), targets, data["tasks"].project_id.ids]
        + [list(range(len(employees))), employees],
    )


def generate_inputs(cr, table, first, last, data):
    """Inputs of lines first..last: deterministic hashes of the sequence."""
    uniform = [
        SQL(f"((hashint8(seq * 8 + {k})::bigint + 2147483648) / 4294967296.0) AS u{k}")
        for k in range(1, 7)
    ]
    cr.execute(
        SQL(
            """DROP TABLE IF EXISTS %(table)s;
            CREATE UNLOGGED TABLE %(table)s AS
            WITH r AS (
                SELECT seq, %(uniform)s
                  FROM generate_series(%(first)s::bigint, %(last)s::bigint) seq
            )
            SELECT r.seq, tg.project_id, tk.task_id, e.employee_id,
                   (%(start)s::date + floor(r.u3 * %(days)s)::int) AS date,
                   0.25 * (1 + floor(r.u4 * %(hour_steps)s)::int) AS hours,
                   (%(descriptions)s::varchar[])[1 + floor(r.u5 * %(ndesc)s)::int]
                       AS name
              FROM r
              JOIN bench_target tg ON tg.bucket = %(bucket)s
              JOIN bench_task tk ON tk.project_id = tg.project_id
                                AND tk.k = floor(r.u2 * %(tasks)s)::int
              JOIN bench_employee e ON e.k = floor(r.u6 * %(employees)s)::int""",
            table=SQL.identifier(table),
            uniform=SQL(", ").join(uniform),
            first=first,
            last=last,
            start=data["start"],
            days=(data["today"] - data["start"]).days + 1,
            hour_steps=HOUR_STEPS,
            descriptions=list(DESCRIPTIONS),
            ndesc=len(DESCRIPTIONS),
            bucket=data["bucket"],
            tasks=data["tasks_per_project"],
            employees=len(data["employees"]),
        )
    )


# What qLibra freezes when a line is logged: client (commercial partner),
# employee's hourly cost, company's overhead rate, cost = hours x cost x (1 +
# rate / 100) rounded, task's change-request flag.
QLIBRA_COLUMNS = SQL(
    """, qlibra_client_id, qlibra_hourly_cost, qlibra_overhead_rate,
    qlibra_cost, qlibra_is_change_request, qlibra_own_change_request"""
)
QLIBRA_VALUES = SQL(
    """, cp.commercial_partner_id, COALESCE(emp.hourly_cost, 0),
    co.qlibra_overhead_rate,
    round(i.hours::numeric * COALESCE(emp.hourly_cost, 0)::numeric
          * (1 + co.qlibra_overhead_rate::numeric / 100), 2),
    COALESCE(t.qlibra_is_change_request, false), false"""
)


def insert_lines(env, table):
    """Insert the lines of an input table; returns how many.

    Odoo's columns as hr_timesheet writes them: company, partner (task's,
    else project's), analytic account and plan columns from the project,
    company time unit, employee's user, department and manager, company
    currency, parent task, amount = -hours x hourly cost rounded to the
    currency. With qLibra, what it freezes when a line is logged (above);
    then the product's own set-based rule (``_qlibra_recompute_contract()``)
    resolves the contract along the renegotiation chain, the client, type,
    revenue and its currency."""
    cr, qlibra = env.cr, "qlibra.contract" in env
    cr.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = 'account_analytic_line'
              AND column_name ~ '^x_plan[0-9]+_id$'"""
    )
    plans = [row[0] for row in cr.fetchall()]
    cr.execute(
        SQL(
            """
        INSERT INTO account_analytic_line (
            name, date, unit_amount, amount, account_id %(plan_cols)s,
            product_uom_id, partner_id, user_id, company_id, currency_id,
            category, task_id, parent_task_id, project_id, employee_id,
            department_id, manager_id,
            create_uid, write_uid, create_date, write_date %(qlibra_cols)s)
        SELECT i.name, i.date, i.hours,
               round(-(i.hours::numeric) * COALESCE(emp.hourly_cost, 0), 2),
               p.account_id %(plan_vals)s,
               co.project_time_mode_id, COALESCE(t.partner_id, p.partner_id),
               emp.user_id, co.id, co.currency_id, 'other', t.id, t.parent_id,
               p.id, emp.id, emp.department_id, emp.parent_id,
               %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
               %(qlibra_vals)s
          FROM %(table)s i
          JOIN project_task t ON t.id = i.task_id
          JOIN project_project p ON p.id = i.project_id
          JOIN hr_employee emp ON emp.id = i.employee_id
          JOIN res_company co
            ON co.id = COALESCE(t.company_id, p.company_id, emp.company_id)
     LEFT JOIN res_partner cp ON cp.id = COALESCE(t.partner_id, p.partner_id)
      ORDER BY i.seq
     RETURNING id""",
            plan_cols=SQL().join(SQL(", %s", SQL.identifier(c)) for c in plans),
            plan_vals=SQL().join(SQL(", %s", SQL.identifier("p", c)) for c in plans),
            qlibra_cols=QLIBRA_COLUMNS if qlibra else SQL(),
            qlibra_vals=QLIBRA_VALUES if qlibra else SQL(),
            table=SQL.identifier(table),
            uid=env.uid,
        )
    )
    ids = [row[0] for row in cr.fetchall()]
    if qlibra:
        env["account.analytic.line"].browse(ids)._qlibra_recompute_contract()
        env.flush_all()
        env.invalidate_all()
    return len(ids)


def sample_inputs(env, data):
    """Every employee x every hour value, on tasks and dates spread over every
    project and period, so that each rounding case of the bulk data is
    checked; with qLibra, also the dates around each renegotiation."""
    tasks, employees = data["tasks"], data["employees"]
    days = (data["today"] - data["start"]).days + 1
    inputs = []

    def add(task, employee, day, hours):
        k = len(inputs)
        vals = (k, task.project_id.id, task.id, employee.id, day, hours)
        inputs.append((*vals, f"bench-sample-{k}"))

    for e_index, employee in enumerate(employees):
        for step in range(HOUR_STEPS):
            k = len(inputs)
            day = date.fromordinal(data["start"].toordinal() + (k * 37) % days)
            add(tasks[(k * 7 + e_index) % len(tasks)], employee, day, 0.25 * (step + 1))
    if "qlibra.contract" not in env:
        return inputs
    for contract in env["qlibra.contract"].search(
        [("previous_contract_id", "!=", False)]
    ):
        own = tasks.filtered(lambda t, c=contract: t.qlibra_contract_id == c)
        if not own:
            raise SystemExit(
                f"No task follows the renegotiated contract {contract.name}"
            )
        previous = contract.previous_contract_id
        for day in (contract.date_start, previous.date_end, previous.date_start):
            k = len(inputs)
            add(own[k % len(own)], employees[k % len(employees)], day, 1.25)
    return inputs


def verify_sql_against_orm(env, data):
    """Sample lines created through the ORM and through insert_lines() from
    the same inputs: every column but id, create_date and write_date must be
    equal, else the script stops. Both are deleted afterwards."""
    cr = env.cr
    inputs = sample_inputs(env, data)
    cr.execute(
        """DROP TABLE IF EXISTS bench_sample;
           CREATE TEMP TABLE bench_sample (seq bigint, project_id int, task_id int,
               employee_id int, date date, hours numeric, name varchar)"""
    )
    cr.execute(SQL("INSERT INTO bench_sample VALUES %s", SQL(",").join(inputs)))
    keys = ("project_id", "task_id", "employee_id", "date", "unit_amount", "name")
    orm_lines = env["account.analytic.line"].create(
        [dict(zip(keys, row[1:], strict=True)) for row in inputs]
    )
    env.flush_all()
    last_orm_id = max(orm_lines.ids)
    if insert_lines(env, "bench_sample") != len(inputs):
        raise SystemExit("The SQL insert missed sample lines")
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
    # Both sides read the same columns: equal values are of equal types.
    differences = []
    for name, orm_row in rows["orm"].items():
        if (sql_row := rows["sql"].get(name)) is None:
            differences.append(f"{name}: missing from the SQL insert")
            continue
        differences += [
            f"{name}.{col}: ORM {orm!r} != SQL {sql!r}"
            for col, orm, sql in zip(columns, orm_row, sql_row, strict=True)
            if orm != sql
        ]
    if differences:
        raise SystemExit(
            "The SQL bulk insert does not write what the ORM writes "
            f"({len(differences)} differences):\n  " + "\n  ".join(differences[:40])
        )
    summary = ""
    if "qlibra_contract_id" in columns:
        cr.execute(
            "SELECT count(DISTINCT qlibra_contract_id), count(*) FILTER (WHERE"
            " qlibra_contract_id IS NULL) FROM account_analytic_line WHERE id > %s",
            [last_orm_id],
        )
        summary = " ({} contracts, {} lines without contract)".format(*cr.fetchone())
    cr.execute(
        "DELETE FROM account_analytic_line WHERE id = ANY(%s) OR id > %s",
        [orm_lines.ids, last_orm_id],
    )
    env.invalidate_all()
    # The ORM lines touched their tasks' stored totals: recompute them back.
    refresh_dependents(env, data["tasks"])
    log(
        f"SQL insert verified against the ORM: {len(inputs)} lines x "
        f"{len(columns)} columns identical{summary}"
    )
    return {"verified_lines": len(inputs), "verified_columns": len(columns)}


def refresh_dependents(env, tasks):
    """Recompute what depends on timesheet lines (task hours, progress...),
    by the ORM's mechanism: the lines' fields marked as modified for one line
    of each task; tasks without lines recomputed directly."""
    Line = env["account.analytic.line"]
    env.cr.execute(
        "SELECT DISTINCT ON (task_id) id FROM account_analytic_line "
        "WHERE task_id IS NOT NULL ORDER BY task_id, id"
    )
    representatives = Line.browse([row[0] for row in env.cr.fetchall()])
    representatives.modified(
        [name for name, field in Line._fields.items() if field.store]
    )
    for field in tasks._fields.values():
        depends = env.registry.field_depends[field]
        if (
            field.store
            and field.compute
            and any(d.startswith("timesheet_ids") for d in depends)
        ):
            env.add_to_compute(field, tasks)
    env.flush_all()


def check_task_totals(cr):
    cr.execute(
        """SELECT count(*) FROM project_task t
            LEFT JOIN (SELECT task_id, sum(unit_amount) AS hours
                         FROM account_analytic_line GROUP BY task_id) s
                   ON s.task_id = t.id
            WHERE abs(COALESCE(t.effective_hours, 0) - COALESCE(s.hours, 0)) > 0.001"""
    )
    if wrong := cr.fetchone()[0]:
        raise SystemExit(f"{wrong} tasks have stale effective hours after the load")
