# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models

from .profitability import MEASURES
from .report_xlsx_abstract import Formula, spec

MARGIN_PERCENT = 'IF({revenue}=0,"",({revenue}-{cost})/{revenue})'
EFFECTIVE_RATE = 'IF({hours}=0,"",{revenue}/{hours})'
CR_SHARE = 'IF({hours}=0,"",{change_request_hours}/{hours})'


class ProfitabilityXlsx(models.AbstractModel):
    """The PDF's data as sheets of clients and months; ratios as formulas."""

    _name = "report.qlibra_task_reports.report_profitability_xlsx"
    _inherit = "report.qlibra_task_reports.abstract_xlsx"
    _description = "Client Profitability Report (XLSX)"

    def _measure_columns(self):
        """Without a total, a column's is its formula on the totals' row."""
        return [
            spec("hours", _("Hours"), "hours", 10, "sum"),
            spec("change_request_hours", _("Change-request Hours"), "hours", 14, "sum"),
            spec("cost", _("Cost"), "money", 14, "sum"),
            spec("revenue", _("Revenue"), "money", 14, "sum"),
            spec("margin", _("Margin"), "money", 14, "sum"),
            spec("margin_percent", _("Margin (%)"), "percent", 11),
            spec("effective_rate", _("Effective Hourly Rate"), "money", 14),
            spec("change_request_share", _("Change-request Share (%)"), "percent", 14),
        ]

    def _measure_values(self, figures):
        return {
            **{measure: figures[measure] for measure in MEASURES},
            "margin": Formula("{revenue}-{cost}", figures["margin"]),
            "margin_percent": Formula(MARGIN_PERCENT, figures["margin_percent"]),
            "effective_rate": Formula(EFFECTIVE_RATE, figures["effective_rate"]),
            "change_request_share": Formula(CR_SHARE, figures["change_request_share"]),
        }

    def _client_columns(self):
        return [
            spec("name", _("Client"), width=30),
            spec("contract_type", _("Contract Type"), width=16),
            *self._measure_columns(),
            spec("consumption_percent", _("Consumption (%)"), "percent", 13),
            spec("target_margin", _("Target Margin (%)"), "percent", 12),
            spec(
                "trailing_margin_percent", _("Margin, Last 3 Months (%)"), "percent", 14
            ),
            spec("to_renegotiate", _("To Renegotiate"), width=13),
            spec("suggested_fee", _("Suggested Monthly Fee"), "amount", 14),
            # A fee is in its contract's currency, not always the company's.
            spec("fee_currency", _("Fee Currency"), width=10),
        ]

    def generate_xlsx_report(self, workbook, data, objects):
        report = self.env["report.qlibra_task_reports.report_profitability"]
        values = report._get_report_values(objects.ids, data)
        formats = self._get_formats(workbook, values["currency"])
        totals = self._measure_values(values["totals"])
        clients = values["clients"]
        sheet = workbook.add_worksheet(_("Clients"))
        sheet.write_string(0, 0, _("Client Profitability"), formats["title"])
        sheet.write_string(1, 0, _("Period"), formats["label"])
        sheet.write_datetime(1, 1, values["date_from"], formats["date"])
        sheet.write_datetime(1, 2, values["date_to"], formats["date"])
        rows = [
            {
                **client,
                "contract_type": client["contract_type_label"],
                **self._measure_values(client),
                "to_renegotiate": _("Yes") if client["to_renegotiate"] else _("No"),
                "fee_currency": client["contract"].currency_id.name or "",
            }
            for client in clients
        ]
        self._write_sheet(sheet, 3, self._client_columns(), rows, formats, totals)
        columns = [
            spec("month", _("Month"), "date"),
            spec("name", _("Client"), width=30),
            *self._measure_columns(),
        ]
        rows = [
            {"month": month["month"], "name": client["name"]}
            | self._measure_values(month)
            for client in clients
            for month in client["trend"]
        ]
        sheet = workbook.add_worksheet(_("Trend"))
        self._write_sheet(sheet, 0, columns, rows, formats, totals)

    def _write_sheet(self, sheet, row, columns, rows, formats, totals):
        columns = [{**c, "total": c["total"] or totals.get(c["key"])} for c in columns]
        self._write_table(sheet, row, columns, rows, formats, _("Total"), main=True)
