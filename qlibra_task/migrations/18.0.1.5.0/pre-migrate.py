# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.5.0: the lines' contract is indexed with their date (init() of
account.analytic.line); the index on the contract alone goes."""


def migrate(cr, version):
    if version:
        cr.execute(
            "DROP INDEX IF EXISTS account_analytic_line__qlibra_contract_id_index"
        )
