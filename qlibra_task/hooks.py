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
