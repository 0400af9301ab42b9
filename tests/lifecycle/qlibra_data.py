"""What the add-ons keep in a database, read with SQL: the snapshot that a
module update or a reinstall must give again, and what an uninstall must
leave no trace of."""

# The add-ons a user installs; their bridges to other apps (auto_install)
# follow on their own.
ADDONS = ("qlibra_task", "qlibra_task_reports")
VIEW = "qlibra_profitability_report"

# Figures of the add-ons' data (the demo data, and the user's edits).
FIGURES = {
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
    "warnings": "SELECT count(*) FROM qlibra_warning",
    "sum of qlibra_cost": (
        "SELECT ROUND(COALESCE(SUM(qlibra_cost), 0)::numeric, 2)::text "
        "FROM account_analytic_line"
    ),
    "view SUM(hours)": (
        "SELECT ROUND(COALESCE(SUM(hours), 0)::numeric, 2)::text "
        "FROM qlibra_profitability_report"
    ),
    "view SUM(cost)": (
        "SELECT ROUND(COALESCE(SUM(cost), 0)::numeric, 2)::text "
        "FROM qlibra_profitability_report"
    ),
    "view SUM(revenue)": (
        "SELECT ROUND(COALESCE(SUM(revenue), 0)::numeric, 2)::text "
        "FROM qlibra_profitability_report"
    ),
}
# The add-ons' demo timesheets and clients.
DEMO_LINES = (
    "SELECT res_id FROM ir_model_data WHERE module = 'qlibra_task' "
    "AND model = 'account.analytic.line'"
)
DEMO_CLIENTS = (
    "SELECT res_id FROM ir_model_data WHERE module = 'qlibra_task' "
    "AND model = 'res.partner'"
)
FIGURES["demo timesheets: sum of qlibra_cost"] = (
    "SELECT ROUND(COALESCE(SUM(qlibra_cost), 0)::numeric, 2)::text "
    f"FROM account_analytic_line WHERE id IN ({DEMO_LINES})"
)
for column in ("hours", "cost", "revenue"):
    FIGURES[f"demo clients: view SUM({column})"] = (
        f"SELECT ROUND(COALESCE(SUM({column}), 0)::numeric, 2)::text "
        f"FROM qlibra_profitability_report WHERE partner_id IN ({DEMO_CLIENTS})"
    )
# The figures a reinstall must give again: those of the add-ons' own demo
# data. Not the sums over every timesheet line: a line's cost keeps the
# overhead rate of the day it was logged, so the lines that other apps' demo
# data logged while the add-ons were installed (Sales after qLibra) cost the
# demo rate, and after the reinstall the rate of the day of the reinstall
# (the one a line logged before an install gets).
DEMO_FIGURES = (
    "contracts active",
    "contracts archived",
    "tasks with a fixed price",
    "sum of task fixed prices",
    "change-request tasks",
    "change-request timesheet lines",
    "warnings",
    "demo timesheets: sum of qlibra_cost",
    "demo clients: view SUM(hours)",
    "demo clients: view SUM(cost)",
    "demo clients: view SUM(revenue)",
)

# Columns of the add-ons' rows that a module update may legitimately touch.
VOLATILE = ("write_date", "write_uid", "__last_update")

# Every qlibra_* column of the tables the add-ons extend, and every column of
# their own tables.
QLIBRA_COLUMNS = (
    "SELECT c.table_name, c.column_name FROM information_schema.columns c "
    "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
    "AND t.table_name = c.table_name WHERE c.table_schema = 'public' "
    "AND t.table_type = 'BASE TABLE' AND (c.column_name LIKE 'qlibra%' "
    "OR c.table_name LIKE 'qlibra%') ORDER BY c.table_name, c.column_name"
)

# What an uninstall leaves in PostgreSQL's catalog: kind -> SQL listing it.
CATALOG_LEFTOVERS = {
    "relation (table, view, sequence, index)": (
        "SELECT relname || ' (' || relkind::text || ')' FROM pg_class "
        "WHERE relname ILIKE '%qlibra%'"
    ),
    "column": (
        "SELECT table_name || '.' || column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND column_name ILIKE '%qlibra%'"
    ),
    "trigger": (
        "SELECT tgname || ' ON ' || tgrelid::regclass::text FROM pg_trigger "
        "WHERE tgname ILIKE '%qlibra%'"
    ),
    "constraint": "SELECT conname FROM pg_constraint WHERE conname ILIKE '%qlibra%'",
    "function": "SELECT proname FROM pg_proc WHERE proname ILIKE '%qlibra%'",
}

# Records of the add-ons that an uninstall must remove: Odoo model -> SQL
# describing each leftover row (run with the parameter ``modules``: the
# add-ons, so ``%`` is written ``%``; the queries above run without).
RECORD_LEFTOVERS = {
    "ir.model.data": (
        "SELECT module || '.' || name || ' (' || model || ')' FROM ir_model_data "
        "WHERE module LIKE 'qlibra%'"
    ),
    "ir.model": "SELECT model FROM ir_model WHERE model ILIKE 'qlibra%'",
    "ir.model.fields": (
        "SELECT model || '.' || name FROM ir_model_fields "
        "WHERE name ILIKE '%qlibra%' OR model ILIKE 'qlibra%'"
    ),
    "ir.ui.view": (
        "SELECT name || ' (' || COALESCE(key, model, '') || ')' FROM ir_ui_view "
        "WHERE name ILIKE '%qlibra%' OR key ILIKE '%qlibra%' "
        "OR model ILIKE 'qlibra%' OR arch_db::text ILIKE '%qlibra%'"
    ),
    "ir.ui.menu": (
        "SELECT name::text FROM ir_ui_menu WHERE id IN (SELECT res_id FROM "
        "ir_model_data WHERE model = 'ir.ui.menu' AND module LIKE 'qlibra%') "
        "OR name::text ILIKE '%qlibra%' OR action ILIKE '%qlibra%'"
    ),
    "ir.cron": (
        "SELECT cron_name::text FROM ir_cron c JOIN ir_act_server s "
        "ON s.id = c.ir_actions_server_id WHERE cron_name::text ILIKE '%qlibra%' "
        "OR s.code ILIKE '%qlibra%' OR s.model_name ILIKE 'qlibra%'"
    ),
    "mail.activity.type": (
        "SELECT name::text FROM mail_activity_type WHERE name::text ILIKE "
        "'%qlibra%' OR res_model ILIKE 'qlibra%' OR id IN (SELECT res_id FROM "
        "ir_model_data WHERE model = 'mail.activity.type' AND module LIKE 'qlibra%')"
    ),
    "ir.rule": (
        "SELECT name FROM ir_rule WHERE name ILIKE '%qlibra%' "
        "OR domain_force ILIKE '%qlibra%'"
    ),
    "res.groups": (
        "SELECT name::text FROM res_groups WHERE name::text ILIKE '%qlibra%' "
        "OR id IN (SELECT res_id FROM ir_model_data WHERE model = 'res.groups' "
        "AND module LIKE 'qlibra%')"
    ),
    "ir.actions.report": (
        "SELECT report_name FROM ir_act_report_xml WHERE report_name ILIKE "
        "'%qlibra%' OR model ILIKE 'qlibra%'"
    ),
    "ir.actions.act_window and server": (
        "SELECT name::text FROM ir_act_window WHERE res_model ILIKE 'qlibra%' "
        "UNION ALL SELECT name::text FROM ir_act_server "
        "WHERE model_name ILIKE 'qlibra%' OR code ILIKE '%qlibra%'"
    ),
    "ir.model.access": "SELECT name FROM ir_model_access WHERE name ILIKE 'qlibra%'",
    "mail.template": (
        "SELECT name::text FROM mail_template WHERE model ILIKE 'qlibra%' "
        "OR id IN (SELECT res_id FROM ir_model_data "
        "WHERE model = 'mail.template' AND module LIKE 'qlibra%')"
    ),
}

# Columns naming a model, in any table: no row may point at a model of the
# add-ons after the uninstall (messages, followers, activities, attachments).
MODEL_NAME_COLUMNS = (
    "SELECT c.table_name, c.column_name FROM information_schema.columns c "
    "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
    "AND t.table_name = c.table_name WHERE c.table_schema = 'public' "
    "AND t.table_type = 'BASE TABLE' AND c.data_type = 'character varying' "
    "AND c.column_name IN ('model', 'res_model', 'model_name')"
)


# Each bridge (an auto_install add-on of the project), its state and the
# states of the modules it depends on.
BRIDGES = (
    "SELECT m.name, m.state, array_agg(COALESCE(dep.state, 'unknown')) "
    "FROM ir_module_module m "
    "JOIN ir_module_module_dependency d ON d.module_id = m.id "
    "LEFT JOIN ir_module_module dep ON dep.name = d.name "
    "WHERE m.name LIKE 'qlibra%' AND m.auto_install GROUP BY m.name, m.state"
)


def bridge_states(database):
    """{bridge: (state, expected state)}: a bridge is installed exactly
    when every module it depends on is; states other than ``installed`` are
    given as ``not installed``."""

    def installed(state):
        return "installed" if state == "installed" else "not installed"

    return {
        name: (
            installed(state),
            "installed"
            if all(dep == "installed" for dep in dep_states)
            else "not installed",
        )
        for name, state, dep_states in database.query(BRIDGES)
    }


def snapshot(database):
    """(figures, rows) of the add-ons in ``database``: the FIGURES, and the
    qlibra_* values of every row, by table and id."""
    figures = {name: database.query(query)[0][0] for name, query in FIGURES.items()}
    tables = {}
    for table, column in database.query(QLIBRA_COLUMNS):
        if column not in VOLATILE:
            tables.setdefault(table, []).append(column)
    rows = {
        table: database.table_rows(table, columns) for table, columns in tables.items()
    }
    return figures, rows


def figure_differences(before, after, names=None):
    return [
        f"{name}: {before.get(name)} -> {after.get(name)}"
        for name in names or before
        if before.get(name) != after.get(name)
    ]


def row_differences(before, after):
    differences = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, {}), after.get(table, {})
        changed = sorted(
            (key for key in set(old) | set(new) if old.get(key) != new.get(key)),
            key=str,
        )
        if changed:
            differences.append(
                f"{table}: {len(changed)} rows differ, e.g. "
                + "; ".join(f"{old.get(key)} -> {new.get(key)}" for key in changed[:3])
            )
    return differences


def leftovers(database):
    """What the add-ons left after their uninstall: (catalog, records,
    references) where catalog and records map a kind to the rows found and
    references lists ``table.column: count`` of rows naming their models."""
    catalog = {
        kind: [row[0] for row in database.query(query)]
        for kind, query in CATALOG_LEFTOVERS.items()
    }
    records = {
        model: [str(row[0]) for row in database.query(query)]
        for model, query in RECORD_LEFTOVERS.items()
    }
    references = []
    for table, column in database.query(MODEL_NAME_COLUMNS):
        count = database.count_where_like(table, column, "qlibra.%")
        if count:
            references.append(f"{table}.{column}: {count}")
    return catalog, records, references
