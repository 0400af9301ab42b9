# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The benchmark's two databases, built once and reused while their marker
holds the scale (README.md next to this file, "The databases")."""

import itertools
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


def ensure_database(dbname, args):
    """Build, or reuse and update (unless --no-update); True when built now."""
    check_name(dbname)
    lines, marker = args.lines, "qlibra_bench.lines"
    if args.rebuild or db_marker(dbname, marker) != lines:
        log(f"Building {dbname} with {lines:,} timesheet lines")
        build(dbname, lines, args.batch, install, qlibra_master_data, marker)
        return True
    log(f"Reusing {dbname} ({lines:,} lines)")
    if not args.no_update:
        installed = [m for m in MODULES if module_state(dbname, m) == "installed"]
        odoo_cli(dbname, "-u", ",".join(installed), check=f"Cannot update {installed}")
        if missing := [m for m in MODULES if m not in installed]:
            code, output = odoo_cli(dbname, "-i", ",".join(missing))
            if code:
                log(f"Installing {missing} failed:\n{output[-2000:]}")
    return False


def ensure_plain_database(dbname, lines, args):
    marker = "qlibra_bench.plain_lines"
    if not args.rebuild and db_marker(dbname, marker) == lines:
        return log(f"Reusing {dbname} ({lines:,} lines of plain {PLAIN_MODULE})")
    log(f"Building {dbname}: {PLAIN_MODULE} only, {lines:,} timesheet lines")
    build(dbname, lines, args.batch, install_plain, plain_master_data, marker)
    release(dbname)  # no session may stay on the template of CREATE DATABASE


def install(dbname):
    """Both add-ons; qlibra_task alone if the reports fail (their items skip)."""
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
    """The marker is set last: an interrupted build is never reused."""
    # pylint: disable=invalid-commit
    drop_db(dbname)
    started = time.perf_counter()
    install_fn(dbname)
    log(f"Installed in {time.perf_counter() - started:.0f} s")
    registry = odoo_registry(dbname)
    context = {"tracking_disable": True, "mail_create_nolog": True, "lang": "en_US"}
    with superuser_env(registry, dict(context, mail_notrack=True)) as env:
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


def client_weights(count):
    """Skewed activity: the busiest client logs about 4.7% of all lines."""
    raw = [1.0 / (rank + 5) for rank in range(count)]
    return [weight / sum(raw) for weight in raw]


def people(env, prefix, employees, cost, clients, departments=()):
    """Employees with hourly costs (the last one's time free) and clients."""
    staff = env["hr.employee"].create(
        [
            {"name": f"{prefix} Employee {i + 1:02d}"}
            | {"hourly_cost": 0.0 if i == employees - 1 else round(cost(i), 2)}
            | ({"department_id": departments[i % 4].id} if departments else {})
            for i in range(employees)
        ]
    )
    names = [f"{prefix} Client {i + 1:03d}" for i in range(clients)]
    clients = env["res.partner"].create([dict(name=n, is_company=True) for n in names])
    return staff, clients


def period():
    """The first day of the benchmark's months, and today."""
    today = date.today()
    return today.replace(day=1) - relativedelta(months=MONTHS - 1), today


def qlibra_master_data(env, lines, clients=300, employees=60, tasks_per_project=6):
    """Company, employees, clients, contracts, projects and tasks."""
    start, today = period()
    env.ref("base.main_company").qlibra_overhead_rate = OVERHEAD_RATE
    admin = env.ref("base.user_admin")
    admin.groups_id = [(4, env.ref("qlibra_task.group_qlibra_manager").id)]
    admin.groups_id = [(4, env.ref("hr_timesheet.group_timesheet_manager").id)]
    names = [f"Bench Department {d + 1}" for d in range(4)]
    departments = env["hr.department"].create([{"name": name} for name in names])
    cost = lambda i: 18 + (i * 137 % 4500) / 100  # noqa: E731
    staff, partners = people(env, "Bench", employees, cost, clients, departments)
    for i, employee in enumerate(staff[4:], start=4):
        employee.parent_id = staff[i % 4]
    weights = client_weights(clients)
    contract_vals = []
    for i, client in enumerate(partners):
        ctype = CONTRACT_PATTERN[i % len(CONTRACT_PATTERN)]
        vals = {"partner_id": client.id, "contract_type": ctype, "user_id": admin.id}
        # every 9th client signed 5 months in: no contract covers its time before
        vals["date_start"] = start + relativedelta(months=5 if i % 9 == 4 else 0)
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
    # every 8th subscription renegotiated 12 months in (its projects follow)
    kept = ("included_hours", "overage_rate", "target_margin", "contract_type")
    env["qlibra.contract"].create(
        [
            {key: contract[key] for key in kept}
            | {
                "partner_id": contract.partner_id.id,
                "previous_contract_id": contract.id,
            }
            | {"date_start": start + relativedelta(months=12), "user_id": admin.id}
            | {"monthly_fee": contract.monthly_fee * 1.1}
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
    done_after = {"Task 1": 6, "Task 2": 14}  # months: fixed-price tasks done
    fixed = tasks.filtered(lambda t: t.qlibra_contract_type == "fixed_price")
    done = fixed.filtered(lambda t: t.name in done_after)
    done.state = "1_done"
    for task in done:
        task.qlibra_date_done = start + relativedelta(months=done_after[task.name])
    env.flush_all()

    # each client's share: 85% on its first project, 15% on its second; internal last
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
    bounds = list(itertools.accumulate(shares))

    def finish(env):
        # the lines came through SQL: fill the store by the product's own rule
        started = time.perf_counter()
        env["qlibra.contract"]._qlibra_refill_months()
        log(f"Contract-month store filled in {time.perf_counter() - started:.1f} s")

    data = {"start": start, "today": today, "employees": staff, "tasks": tasks}
    data["bucket"] = SQL("width_bucket(r.u1, %s)", bounds)
    data.update(tasks_per_project=tasks_per_project, targets=targets, finish=finish)
    return data


def plain_master_data(env, lines):
    """Plain Odoo: employees, clients, projects and tasks."""
    start, today = period()
    cost = lambda i: 20 + (i * 173 % 4000) / 100  # noqa: E731
    staff, clients = people(env, "Adoption", PLAIN_EMPLOYEES, cost, PLAIN_CLIENTS)
    project_vals = [{"name": f"{c.name} - Main", "partner_id": c.id} for c in clients]
    # The signing client's second project: targets 0 and 1 of the lines.
    extra = {"name": f"{clients[0].name} - Extra", "partner_id": clients[0].id}
    project_vals[1:1] = [extra]
    project_vals.append({"name": "Adoption Internal"})
    projects = env["project.project"].create(
        [dict(vals, allow_timesheets=True) for vals in project_vals]
    )
    tasks = [(p.id, f"Task {k + 1}") for p in projects for k in range(PLAIN_TASKS)]
    tasks = env["project.task"].create([{"name": n, "project_id": p} for p, n in tasks])
    env.flush_all()

    def finish(env):
        # costs rose after the time was logged: the install must keep the old
        for employee in staff[::RAISED_EVERY]:
            employee.hourly_cost = round(employee.hourly_cost * RAISE, 2)
        env.flush_all()

    data = {"start": start, "today": today, "employees": staff, "tasks": tasks}
    # The first lines are the signing client's; the others spread evenly.
    case = "CASE WHEN r.seq <= %s THEN (r.u1 >= %s)::int ELSE 2 + floor(r.u1 * %s)::int"
    args = contract_lines(lines), BIG_CLIENT_SHARE, len(projects) - 2
    data["bucket"] = SQL(case + " END", *args)
    data.update(tasks_per_project=PLAIN_TASKS, targets=projects.ids, finish=finish)
    return data


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


# What qLibra freezes when a line is logged (cost = hours x cost x (1 + overhead)).
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
    """Insert an input table's lines as hr_timesheet and qLibra write them, then
    set their contract and revenue by the product's own rule; returns how many."""
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
    """Each employee x hour value; with qLibra, the days around renegotiations."""
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
    renewed = env["qlibra.contract"].search([("previous_contract_id", "!=", False)])
    for contract in renewed:
        own = tasks.filtered(lambda t, c=contract: t.qlibra_contract_id == c)
        if not own:
            raise SystemExit(f"No task follows the new contract {contract.name}")
        previous = contract.previous_contract_id
        for day in (contract.date_start, previous.date_end, previous.date_start):
            k = len(inputs)
            add(own[k % len(own)], employees[k % len(employees)], day, 1.25)
    return inputs


def verify_sql_against_orm(env, data):
    """Lines by the ORM and by insert_lines() must be equal but for id and dates."""
    cr = env.cr
    inputs = sample_inputs(env, data)
    cr.execute(
        """DROP TABLE IF EXISTS bench_sample;
           CREATE TEMP TABLE bench_sample (seq bigint, project_id int, task_id int,
               employee_id int, date date, hours numeric, name varchar)"""
    )
    cr.execute(SQL("INSERT INTO bench_sample VALUES %s", SQL(",").join(inputs)))
    keys = ("project_id", "task_id", "employee_id", "date", "unit_amount", "name")
    vals = [dict(zip(keys, row[1:], strict=True)) for row in inputs]
    orm_lines = env["account.analytic.line"].create(vals)
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
    cols, rows = SQL(", ").join(SQL.identifier(col) for col in columns), []
    for w in SQL("id = ANY(%s)", orm_lines.ids), SQL("id > %s", last_orm_id):
        cr.execute(SQL("SELECT name, %s FROM account_analytic_line WHERE %s", cols, w))
        rows.append({row[0]: row[1:] for row in cr.fetchall()})
    # Both sides read the same columns: equal values are of equal types.
    differences, (orm_rows, sql_rows) = [], rows
    for name, orm_row in orm_rows.items():
        if (sql_row := sql_rows.get(name)) is None:
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
    delete = "DELETE FROM account_analytic_line WHERE id = ANY(%s) OR id > %s"
    cr.execute(delete, [orm_lines.ids, last_orm_id])
    env.invalidate_all()
    # The ORM lines touched their tasks' stored totals: recompute them back.
    refresh_dependents(env, data["tasks"])
    sample = f"{len(inputs)} lines x {len(columns)} columns"
    log(f"SQL insert verified against the ORM: {sample} identical{summary}")
    return {"verified_lines": len(inputs), "verified_columns": len(columns)}


def refresh_dependents(env, tasks):
    """Recompute what depends on the lines (task hours...) through the ORM."""
    Line = env["account.analytic.line"]
    env.cr.execute(
        "SELECT DISTINCT ON (task_id) id FROM account_analytic_line "
        "WHERE task_id IS NOT NULL ORDER BY task_id, id"
    )
    lines = Line.browse([row[0] for row in env.cr.fetchall()])
    lines.modified([name for name, field in Line._fields.items() if field.store])
    for field in tasks._fields.values():
        depends = env.registry.field_depends[field]
        from_lines = any(d.startswith("timesheet_ids") for d in depends)
        if field.store and field.compute and from_lines:
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
