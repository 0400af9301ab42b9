# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from .report.qlibra_profitability_report import WITHOUT_INVOICING


def uninstall_hook(env):
    """Odoo rebuilds no SQL view of the modules that stay: without this, the
    analysis would keep reading account_move."""
    env["qlibra.profitability.report"].with_context(**{WITHOUT_INVOICING: True}).init()
