# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""18.0.1.2.0: the fold kept one contract type and currency per key (max()),
so a folded month table may hold the time of hourly, fixed-price and
non-billable contracts as 'none'. The analysis reads both from the contract
and the company now; rebuild the table so that it holds the lines' own."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["qlibra.profitability.report"]._refill_month_table()
