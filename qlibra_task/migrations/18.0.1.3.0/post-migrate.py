# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.3.0: the analysis reads the timesheet lines directly and one
contract-month store kept by the ORM. Drop the month tables, their triggers
and the cron that folded them; fill the store."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        DROP TRIGGER IF EXISTS qlibra_profitability_month_insert
            ON account_analytic_line;
        DROP TRIGGER IF EXISTS qlibra_profitability_month_update
            ON account_analytic_line;
        DROP TRIGGER IF EXISTS qlibra_profitability_month_delete
            ON account_analytic_line;
        DROP FUNCTION IF EXISTS qlibra_profitability_month_apply();
        DROP TABLE IF EXISTS qlibra_profitability_month;
        DROP TABLE IF EXISTS qlibra_profitability_contract_month;
        DROP TABLE IF EXISTS qlibra_rollover_month;
        """
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref("qlibra_task.ir_cron_qlibra_compact_month_table", False)
    if cron:
        cron.unlink()
    env["qlibra.contract"]._qlibra_refill_months()
