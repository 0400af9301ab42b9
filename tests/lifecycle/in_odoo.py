"""What the lifecycle tests do inside Odoo: functions that take ``env``.

The tests run each function in an Odoo process of its own, on the database
of the scenario, as the superuser, in one transaction::

    python tests/lifecycle/in_odoo.py --database DB --addons-path PATH \
        --logfile LOG --result OUT.json FUNCTION [JSON argument ...]

The function's return value is written to ``OUT.json``; the Odoo log goes to
``LOG`` (appended). The transaction is committed when the function returns,
except that the probes (``probe``) roll back whatever they did.
"""

import argparse
import json
import sys
import traceback
from pathlib import Path

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tools import config


# ----------------------------------------------------------------------
# Steps that change the database
# ----------------------------------------------------------------------
def set_company_country(env, code):
    """Put the main company in the country of ISO code ``code``, as its
    owner does in Settings before installing Invoicing (which then picks the
    country's chart of accounts)."""
    country = env["res.country"].search([("code", "=", code.upper())])
    env.company.country_id = country
    return env.company.country_id.code


def edit_as_user(env):
    """Change qLibra data as a user would before a module update: archive a
    contract, add one, flag a task and a timesheet line as change requests."""
    contracts = env["qlibra.contract"]
    archived = contracts.search([("active", "=", True)], order="id", limit=1)
    if not archived:
        raise AssertionError("no active contract in the demo data")
    archived.action_archive()
    client = env["res.partner"].create(
        {"name": "Lifecycle Test Client", "is_company": True}
    )
    contracts.create(
        {
            "partner_id": client.id,
            "contract_type": "hourly",
            "hourly_rate": 95.0,
            "date_start": fields.Date.today().replace(day=1),
        }
    )
    flagged = [("qlibra_is_change_request", "=", False), ("project_id", "!=", False)]
    task = env["project.task"].search(flagged, order="id", limit=1)
    task.qlibra_is_change_request = True
    line = env["account.analytic.line"].search(flagged, order="id", limit=1)
    line.qlibra_is_change_request = True
    env.flush_all()
    return (
        f"archived {archived.display_name}, added a contract, flagged task "
        f"{task.id} and timesheet line {line.id}"
    )


def uninstall(env, modules):
    """Uninstall ``modules`` as the Apps menu does."""
    found = env["ir.module.module"].search(
        [("name", "in", modules), ("state", "=", "installed")]
    )
    names = sorted(found.mapped("name"))
    found.button_immediate_uninstall()
    return names


def company_chart(env):
    """The main company's country, chart of accounts and currency."""
    company = env.company
    return {
        "country": company.country_id.code,
        "chart_template": company.chart_template,
        "currency": company.currency_id.name,
        "accounts": env["account.account"].search_count(
            [("company_ids", "in", company.ids)]
        ),
    }


# ----------------------------------------------------------------------
# Probes: Odoo's own screens and flows still work (rolled back)
# ----------------------------------------------------------------------
def timesheet_analysis(env):
    """Log a timesheet and read it back in Odoo's timesheet analysis."""
    project = env["project.project"].create(
        {"name": "Lifecycle Test Project", "allow_timesheets": True}
    )
    employee = env["hr.employee"].create(
        {"name": "Lifecycle Test Employee", "hourly_cost": 40.0}
    )
    line = env["account.analytic.line"].create(
        {
            "name": "Lifecycle test",
            "project_id": project.id,
            "employee_id": employee.id,
            "unit_amount": 2.5,
        }
    )
    if line.amount != -100.0:
        raise AssertionError(f"amount {line.amount}, expected -100.0")
    env.flush_all()
    report = env["timesheets.analysis.report"]
    rows = report.search_read(
        [("project_id", "=", project.id)], ["unit_amount", "amount"]
    )
    if len(rows) != 1 or rows[0]["unit_amount"] != 2.5:
        raise AssertionError(f"timesheet analysis rows of the project: {rows}")
    groups = report.read_group([], ["unit_amount:sum", "amount:sum"], ["project_id"])
    if not groups:
        raise AssertionError("timesheet analysis is empty")
    return f"{len(groups)} projects in timesheets.analysis.report"


def sale_billed_on_timesheets(env):
    """Sell a service billed on timesheets, log time on its task, invoice the
    time and post the invoice; read it in Odoo's timesheet analysis."""
    hour = env.ref("uom.product_uom_hour")
    product = env["product.product"].create(
        {
            "name": "Lifecycle Test Consulting",
            "type": "service",
            "invoice_policy": "delivery",
            "service_type": "timesheet",
            "service_tracking": "task_in_project",
            "list_price": 120.0,
            "uom_id": hour.id,
            "uom_po_id": hour.id,
        }
    )
    customer = env["res.partner"].create({"name": "Lifecycle Test Customer"})
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "order_line": [
                fields.Command.create({"product_id": product.id, "product_uom_qty": 10})
            ],
        }
    )
    order.action_confirm()
    task = order.order_line.task_id
    if not task:
        raise AssertionError("confirming the order created no task")
    employee = env["hr.employee"].create(
        {"name": "Lifecycle Test Consultant", "hourly_cost": 50.0}
    )
    timesheet = env["account.analytic.line"].create(
        {
            "name": "Lifecycle test work",
            "task_id": task.id,
            "project_id": task.project_id.id,
            "employee_id": employee.id,
            "unit_amount": 3.0,
        }
    )
    if timesheet.so_line != order.order_line:
        raise AssertionError(f"timesheet sold by {timesheet.so_line}")
    if order.order_line.qty_delivered != 3.0:
        raise AssertionError(f"delivered {order.order_line.qty_delivered}, not 3")
    invoice = order._create_invoices()
    invoice.action_post()
    # the price in the order's currency (the pricelist's, not always the
    # company's: a Bulgarian company keeps the demo pricelist in USD)
    expected = invoice.currency_id.round(3 * order.order_line.price_unit)
    if invoice.state != "posted" or invoice.invoice_line_ids.quantity != 3.0:
        raise AssertionError(f"invoice {invoice.state}: {invoice.invoice_line_ids}")
    if invoice.currency_id.compare_amounts(invoice.amount_untaxed, expected):
        raise AssertionError(f"untaxed {invoice.amount_untaxed}, not {expected}")
    if timesheet.timesheet_invoice_id != invoice:
        raise AssertionError("the timesheet is not linked to its invoice")
    env.flush_all()
    groups = env["timesheets.analysis.report"].read_group(
        [("project_id", "=", task.project_id.id)],
        ["unit_amount:sum", "amount:sum"],
        ["timesheet_invoice_type"],
    )
    billed = [
        group
        for group in groups
        if group["timesheet_invoice_type"] == "billable_time"
        and group["unit_amount"] == 3.0
        and group["amount"] == -150.0
    ]
    if not billed:
        raise AssertionError(f"timesheet analysis of the order's project: {groups}")
    return f"{order.name} invoiced by {invoice.name} ({invoice.amount_total})"


def views(model, view_types):
    """A probe that loads the views of ``model`` as the web client does."""

    def load(env):
        env[model].get_views([(False, view_type) for view_type in view_types])
        return ", ".join(view_types)

    load.__doc__ = f"The {', '.join(view_types)} views of {model} load."
    return load


def menus(env):
    """The menus load as the web client does."""
    return f"{len(env['ir.ui.menu'].load_menus(False))} menus"


# name: (function, applies only with Sales)
PROBES = {
    "timesheet in Odoo's timesheet analysis": (timesheet_analysis, False),
    "views of project.task": (
        views("project.task", ["form", "list", "kanban", "search"]),
        False,
    ),
    "views of project.project": (
        views("project.project", ["form", "list", "kanban", "search"]),
        False,
    ),
    "views of account.analytic.line": (
        views("account.analytic.line", ["form", "list", "search"]),
        False,
    ),
    "views of timesheets.analysis.report": (
        views("timesheets.analysis.report", ["pivot", "graph", "list", "search"]),
        False,
    ),
    "views of hr.employee": (views("hr.employee", ["form", "list", "search"]), False),
    "views of res.partner": (views("res.partner", ["form", "list", "search"]), False),
    "views of res.company": (views("res.company", ["form"]), False),
    "views of res.config.settings": (views("res.config.settings", ["form"]), False),
    "menus": (menus, False),
    "sales order billed on timesheets, invoiced": (sale_billed_on_timesheets, True),
    "views of sale.order": (
        views("sale.order", ["form", "list", "kanban", "search"]),
        True,
    ),
    "views of sale.order.line": (views("sale.order.line", ["list", "search"]), True),
    "views of account.move": (views("account.move", ["form", "list", "search"]), True),
    "views of product.template": (
        views("product.template", ["form", "list", "kanban", "search"]),
        True,
    ),
}


def probe(env, names):
    """Run the probes ``names``, each in a savepoint; roll everything back.

    Return {name: [passed, detail]}."""
    results = {}
    for name in names:
        function = PROBES[name][0]
        try:
            with env.cr.savepoint():
                results[name] = [True, function(env) or ""]
        except Exception as error:  # pylint: disable=broad-exception-caught
            env.invalidate_all()
            results[name] = [False, "".join(traceback.format_exception(error))]
    env.cr.rollback()
    return results


FUNCTIONS = {
    function.__name__: function
    for function in (set_company_country, edit_as_user, uninstall, company_chart, probe)
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--logfile", required=True)
    parser.add_argument("--result", required=True, type=Path)
    parser.add_argument("function", choices=sorted(FUNCTIONS))
    parser.add_argument("arguments", nargs="*", type=json.loads)
    args = parser.parse_args(argv)
    config.parse_config(
        [
            f"--addons-path={args.addons_path}",
            f"--database={args.database}",
            f"--logfile={args.logfile}",
            "--no-http",
        ]
    )
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        result = FUNCTIONS[args.function](env, *args.arguments)
    args.result.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
