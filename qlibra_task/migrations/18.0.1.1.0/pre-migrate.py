# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.1.0: cost frozen per line, own change-request marks, archived
contracts ended. Columns filled here, not by Odoo at today's rates."""

from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    if not version:
        return
    if not column_exists(cr, "account_analytic_line", "qlibra_hourly_cost"):
        create_column(cr, "account_analytic_line", "qlibra_hourly_cost", "float8")
        # The cost per hour the line was logged at: Odoo's amount then.
        cr.execute(
            """
            UPDATE account_analytic_line l
               SET qlibra_hourly_cost = CASE
                   WHEN l.unit_amount <> 0 THEN -l.amount / l.unit_amount
                   ELSE COALESCE(e.hourly_cost, 0) END
              FROM hr_employee e
             WHERE e.id = l.employee_id
            """
        )
    if not column_exists(cr, "account_analytic_line", "qlibra_own_change_request"):
        create_column(
            cr, "account_analytic_line", "qlibra_own_change_request", "boolean"
        )
        # A line's own mark is knowable only where its task is not flagged.
        cr.execute(
            """
            UPDATE account_analytic_line l
               SET qlibra_own_change_request = l.qlibra_is_change_request
             WHERE l.qlibra_is_change_request
               AND NOT EXISTS (
                   SELECT 1 FROM project_task t
                    WHERE t.id = l.task_id AND t.qlibra_is_change_request
               )
            """
        )
    # Archiving now ends a contract on the archive day.
    cr.execute(
        """
        UPDATE qlibra_contract
           SET date_end = GREATEST(date_start, write_date::date)
         WHERE NOT active
           AND (date_end IS NULL OR date_end > write_date::date)
        """
    )
