# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tools import SQL


def uninstall_hook(env):
    """Drop what the analysis keeps outside Odoo's models.

    The triggers on account_analytic_line must go before the module's
    columns do, or every timesheet written afterwards would fail.
    """
    env.cr.execute(
        SQL(
            """
            DROP TRIGGER IF EXISTS qlibra_profitability_month_insert
                ON account_analytic_line;
            DROP TRIGGER IF EXISTS qlibra_profitability_month_update
                ON account_analytic_line;
            DROP TRIGGER IF EXISTS qlibra_profitability_month_delete
                ON account_analytic_line;
            DROP FUNCTION IF EXISTS qlibra_profitability_month_apply();
            DROP TABLE IF EXISTS qlibra_profitability_month CASCADE;
            """
        )
    )


def post_init_hook(env):
    """On a database that already holds timesheets: the hourly cost of each
    line is the one Odoo costed it at when it was logged (its amount), not
    the employee's cost of today; the full cost follows."""
    env.cr.execute(
        SQL(
            """
            UPDATE account_analytic_line
               SET qlibra_hourly_cost = -amount / unit_amount
             WHERE project_id IS NOT NULL
               AND unit_amount <> 0
               -- only where today's cost does not give the amount to the cent:
               -- the employee's cost changed since the line was logged
               AND ABS(amount + unit_amount * COALESCE(qlibra_hourly_cost, 0)) >= 0.01
            RETURNING id
            """
        )
    )
    ids = [row[0] for row in env.cr.fetchall()]
    if ids:
        lines = env["account.analytic.line"].browse(ids)
        lines.invalidate_recordset(["qlibra_hourly_cost"])
        lines.modified(["qlibra_hourly_cost"])
        env.flush_all()
