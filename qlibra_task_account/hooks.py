# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from .report.qlibra_profitability_report import WITHOUT_INVOICING


def uninstall_hook(env):
    """Rebuild the analysis view without its invoice rows and columns.

    Odoo does not rebuild the SQL views of the modules that stay installed:
    without this, the view would keep reading account_move after this module
    is gone.
    """
    env["qlibra.profitability.report"].with_context(**{WITHOUT_INVOICING: True}).init()
