# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.3.0: the revenue currency of a line is stored (the analysis reads
the lines without joining their contracts). Filled here in SQL, so that Odoo
does not compute it line by line when the module is updated."""

from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    column = "qlibra_revenue_currency_id"
    if not version or column_exists(cr, "account_analytic_line", column):
        return
    create_column(cr, "account_analytic_line", column, "int4")
    cr.execute(
        """
        UPDATE account_analytic_line l
           SET qlibra_revenue_currency_id = COALESCE(c.currency_id, l.currency_id)
          FROM account_analytic_line l2
          LEFT JOIN qlibra_contract c ON c.id = l2.qlibra_contract_id
         WHERE l2.id = l.id
        """
    )
