# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.1.0: the month table becomes append-only (its unique key is gone)
and counts hours without cost from the line's own hourly cost: rebuild it."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["qlibra.profitability.report"]._refill_month_table()
