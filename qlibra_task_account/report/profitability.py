# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from odoo.addons.qlibra_task.models.figures import ratio

# compare_amounts(earned - invoiced, 0): 1 still to invoice, -1 invoiced ahead.
INVOICE_STATUS = {1: "to_invoice", -1: "invoiced_ahead"}


class ProfitabilityReport(models.AbstractModel):
    """Earned vs invoiced in the profitability report.

    Adds to every figures dict (``_figures``: each client, each month, the
    totals):

    - ``invoiced``: posted customer invoices minus credit notes, untaxed, in
      company currency, dated in the months (``qlibra.profitability.report``);
    - ``to_invoice``: revenue - invoiced (positive: to invoice; negative:
      invoiced ahead);
    - ``invoice_status``: ``"to_invoice"``, ``"invoiced_ahead"`` or False when
      the difference rounds to zero in the company currency;
    - ``realization_percent``: invoiced / revenue x 100, None without revenue.

    Clients with invoices but no other figure in the period are listed too.
    """

    _inherit = "report.qlibra_task_reports.report_profitability"

    @api.model
    def _collect(self, partners, months, trailing_start):
        period_figures, trailing, monthly, found = super()._collect(
            partners, months, trailing_start
        )
        domain = [
            ("date", ">=", months[0]),
            ("date", "<=", months[-1]),
            ("row_type", "=", "invoice"),
        ]
        if partners:
            domain.append(("partner_id", "in", partners.ids))
        rows = self.env["qlibra.profitability.report"]._read_group(
            domain, ["partner_id", "date:month"], ["invoiced:sum"]
        )
        for partner, month, invoiced in rows:
            if not partner:
                continue
            found |= partner
            period_figures[partner.id]["invoiced"] += invoiced
            monthly[(partner.id, month)]["invoiced"] += invoiced
        return period_figures, trailing, monthly, found

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
