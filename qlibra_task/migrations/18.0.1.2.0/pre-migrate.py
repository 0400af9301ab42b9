# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.2.0: each line keeps the client it was logged for, filled here
from the line's partner of today rather than by Odoo line by line."""

from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    if not version or column_exists(cr, "account_analytic_line", "qlibra_client_id"):
        return
    create_column(cr, "account_analytic_line", "qlibra_client_id", "int4")
    cr.execute(
        """
        UPDATE account_analytic_line l
           SET qlibra_client_id = p.commercial_partner_id
          FROM res_partner p
         WHERE p.id = l.partner_id
        """
    )
