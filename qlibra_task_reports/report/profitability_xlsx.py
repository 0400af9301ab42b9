# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models

from .report_xlsx_abstract import Formula, spec

MARGIN_PERCENT = 'IF({revenue}=0,"",({revenue}-{cost})/{revenue})'
EFFECTIVE_RATE = 'IF({hours}=0,"",{revenue}/{hours})'
CR_SHARE = 'IF({hours}=0,"",{change_request_hours}/{hours})'


class ProfitabilityXlsx(models.AbstractModel):
    """The profitability report as XLSX: a sheet of clients, a sheet of
    months, laid out from the report's ``_get_report_values`` (the PDF's
    data); margins and ratios are formulas of the cells."""

    _name = "report.qlibra_task_reports.report_profitability_xlsx"
    _inherit = "report.qlibra_task_reports.abstract_xlsx"
    _description = "Client Profitability Report (XLSX)"

    def _measure_columns(self, totals):
        return [
            spec("hours", _("Hours"), "hours", 10, "sum"),
            spec("change_request_hours", _("Change-request Hours"), "hours", 14, "sum"),
            spec("cost", _("Cost"), "money", 14, "sum"),
            spec("revenue", _("Revenue"), "money", 14, "sum"),
            spec("margin", _("Margin"), "money", 14, "sum"),
            spec(
                "margin_percent",
                _("Margin (%)"),
                "percent",
                11,
                Formula(MARGIN_PERCENT, totals["margin_percent"]),
            ),
            spec(
                "effective_rate",
                _("Effective Hourly Rate"),
                "money",
                14,
                Formula(EFFECTIVE_RATE, totals["effective_rate"]),
            ),
            spec(
                "change_request_share",
                _("Change-request Share (%)"),
                "percent",
                14,
                Formula(CR_SHARE, totals["change_request_share"]),
            ),
        ]

    def _measure_values(self, figures):
        return {
            "hours": figures["hours"],
            "change_request_hours": figures["change_request_hours"],
            "cost": figures["cost"],
            "revenue": figures["revenue"],
            "margin": Formula("{revenue}-{cost}", figures["margin"]),
            "margin_percent": Formula(MARGIN_PERCENT, figures["margin_percent"]),
            "effective_rate": Formula(EFFECTIVE_RATE, figures["effective_rate"]),
            "change_request_share": Formula(CR_SHARE, figures["change_request_share"]),
        }

    def _client_columns(self, totals):
        return [
            spec("name", _("Client"), width=30),
            spec("contract_type", _("Contract Type"), width=16),
            *self._measure_columns(totals),
            spec("consumption_percent", _("Consumption (%)"), "percent", 13),
            spec("target_margin", _("Target Margin (%)"), "percent", 12),
            spec(
                "trailing_margin_percent",
                _("Margin, Last 3 Months (%)"),
                "percent",
                14,
            ),
            spec("to_renegotiate", _("To Renegotiate"), width=13),
            spec("suggested_fee", _("Suggested Monthly Fee"), "amount", 14),
            # A fee is in its contract's currency, not always the company's.
            spec("fee_currency", _("Fee Currency"), width=10),
        ]

    def _trend_columns(self, totals):
        return [
            spec("month", _("Month"), "date"),
            spec("name", _("Client"), width=30),
            *self._measure_columns(totals),
        ]

    def generate_xlsx_report(self, workbook, data, objects):
        values = self.env[
            "report.qlibra_task_reports.report_profitability"
        ]._get_report_values(objects.ids, data)
        formats = self._get_formats(workbook, values["currency"])
        totals = values["totals"]
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
        self._write_sheet(sheet, 3, self._client_columns(totals), rows, formats)
        rows = [
            {
                "month": month["month"],
                "name": client["name"],
                **self._measure_values(month),
            }
            for client in clients
            for month in client["trend"]
        ]
        sheet = workbook.add_worksheet(_("Trend"))
        self._write_sheet(sheet, 0, self._trend_columns(totals), rows, formats)

    def _write_sheet(self, sheet, row, columns, rows, formats):
        self._write_table(
            sheet, row, columns, rows, formats, total_label=_("Total"), main=True
        )
