# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from odoo.addons.qlibra_task.models.figures import ratio

# compare_amounts(earned - invoiced, 0): 1 still to invoice, -1 invoiced ahead.
INVOICE_STATUS = {1: "to_invoice", -1: "invoiced_ahead"}


class ProfitabilityReport(models.AbstractModel):
    """Invoiced, to invoice, its status and realization % in every figures;
    clients with only invoices in the period are listed too."""

    _inherit = "report.qlibra_task_reports.report_profitability"

    @api.model
    def _measures(self):
        return (*super()._measures(), "invoiced")

    @api.model
    def _figures(self, sums):
        figures = super()._figures(sums)
        invoiced = sums.get("invoiced", 0.0)
        to_invoice = figures["revenue"] - invoiced
        sign = self.env.company.currency_id.compare_amounts(to_invoice, 0.0)
        figures.update(
            {
                "invoiced": invoiced,
                "to_invoice": to_invoice,
                "invoice_status": INVOICE_STATUS.get(sign, False),
                "realization_percent": ratio(invoiced, figures["revenue"]),
            }
        )
        return figures
