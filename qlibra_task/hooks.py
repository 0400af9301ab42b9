# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tools.sql import column_exists


def uninstall_hook(env):
    """Drop what the analysis keeps outside Odoo's models."""
    env.cr.execute(
        """
        DROP TABLE IF EXISTS qlibra_contract_month CASCADE;
        DROP FUNCTION IF EXISTS qlibra_currency_rate(integer, integer, date);
        DROP INDEX IF EXISTS account_analytic_line_qlibra_task_hours_index;
        """
    )


def pre_init_hook(env):
    """Fill the new columns of existing timesheet lines in SQL: Odoo would
    compute them line by line in Python, minutes on years of time. With no
    contract yet, each line gets what the ORM would give: no contract, the
    commercial partner as client, no revenue nor change-request mark, 0%
    overhead and the hourly cost Odoo logged it at (its amount), else the
    employee's of today. Contracts created later re-resolve the lines."""
    cr = env.cr
    if column_exists(cr, "account_analytic_line", "qlibra_cost"):
        return
    cr.execute(
        """
        ALTER TABLE account_analytic_line
            ADD COLUMN qlibra_contract_id int4,
            ADD COLUMN qlibra_partner_id int4,
            ADD COLUMN qlibra_client_id int4,
            ADD COLUMN qlibra_contract_type varchar,
            ADD COLUMN qlibra_is_change_request bool,
            ADD COLUMN qlibra_own_change_request bool,
            ADD COLUMN qlibra_hourly_cost numeric,
            ADD COLUMN qlibra_overhead_rate float8,
            ADD COLUMN qlibra_cost numeric,
            ADD COLUMN qlibra_revenue numeric,
            ADD COLUMN qlibra_revenue_currency_id int4;
        UPDATE account_analytic_line l
           SET qlibra_partner_id = CASE WHEN l.project_id IS NOT NULL
                                        THEN p.commercial_partner_id END,
               qlibra_client_id = p.commercial_partner_id,
               qlibra_is_change_request = false,
               qlibra_own_change_request = false,
               qlibra_hourly_cost = c.hourly_cost,
               qlibra_overhead_rate = 0,
               qlibra_cost = CASE WHEN l.project_id IS NULL THEN 0
                   ELSE round(l.unit_amount::numeric * c.hourly_cost
                              / cur.rounding) * cur.rounding END,
               qlibra_revenue = 0,
               qlibra_revenue_currency_id = co.currency_id
          FROM account_analytic_line l2
          LEFT JOIN res_partner p ON p.id = l2.partner_id
          LEFT JOIN hr_employee e ON e.id = l2.employee_id
          JOIN res_company co ON co.id = l2.company_id
          JOIN res_currency cur ON cur.id = co.currency_id
         CROSS JOIN LATERAL (
             -- the cost Odoo logged the line at, where today's cost of
             -- the employee does not give its amount to the cent
             SELECT CASE
                 WHEN l2.project_id IS NOT NULL AND l2.unit_amount <> 0
                  AND ABS(l2.amount + l2.unit_amount::numeric
                          * COALESCE(e.hourly_cost, 0)) >= 0.01
                 THEN -l2.amount::numeric / l2.unit_amount::numeric
                 ELSE COALESCE(e.hourly_cost, 0)::numeric
             END AS hourly_cost
         ) c
         WHERE l2.id = l.id
        """
    )
