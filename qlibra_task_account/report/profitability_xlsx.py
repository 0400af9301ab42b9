# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models

from odoo.addons.qlibra_task_reports.report.report_xlsx_abstract import Formula, spec

TO_INVOICE = "{revenue}-{invoiced}"
REALIZATION = 'IF({revenue}=0,"",{invoiced}/{revenue})'


class ProfitabilityXlsx(models.AbstractModel):
    """Invoiced, to invoice, its status and realization % (formulas but
    invoiced) after the other measures, on both sheets and in the totals."""

    _inherit = "report.qlibra_task_reports.report_profitability_xlsx"

    def _invoice_status_formula(self, status):
        """IF formula naming the sign of {to_invoice}, rounded to the currency."""
        labels = {"to_invoice": _("To invoice"), "invoiced_ahead": _("Invoiced ahead")}
        quoted = {
            key: label.replace('"', '""').replace("{", "{{").replace("}", "}}")
            for key, label in labels.items()
        }
        rounded = f"ROUND({{to_invoice}},{self.env.company.currency_id.decimal_places})"
        return Formula(
            f'IF({rounded}>0,"{quoted["to_invoice"]}",'
            f'IF({rounded}<0,"{quoted["invoiced_ahead"]}",""))',
            labels.get(status, ""),
        )

    def _measure_columns(self):
        return [
            *super()._measure_columns(),
            spec("invoiced", _("Invoiced"), "money", 14, "sum"),
            spec("to_invoice", _("To Invoice"), "money", 14),
            spec("invoice_status", _("Invoicing"), width=14),
            spec("realization_percent", _("Realization (%)"), "percent", 12),
        ]

    def _measure_values(self, figures):
        return {
            **super()._measure_values(figures),
            "invoiced": figures["invoiced"],
            "to_invoice": Formula(TO_INVOICE, figures["to_invoice"]),
            "invoice_status": self._invoice_status_formula(figures["invoice_status"]),
            "realization_percent": Formula(REALIZATION, figures["realization_percent"]),
        }
