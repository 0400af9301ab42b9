# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models

from .report_xlsx_abstract import Formula

MARGIN_PERCENT = 'IF({revenue}=0,"",({revenue}-{cost})/{revenue})'
EFFECTIVE_RATE = 'IF({hours}=0,"",{revenue}/{hours})'
CR_SHARE = 'IF({hours}=0,"",{change_request_hours}/{hours})'


class ProfitabilityXlsx(models.AbstractModel):
    """The profitability report as XLSX: a sheet of clients, a sheet of months.

    Lays out ``report.qlibra_task_reports.report_profitability``'s
    ``_get_report_values``; margins and ratios are formulas of the cells.
    """

    _name = "report.qlibra_task_reports.report_profitability_xlsx"
    _inherit = "report.qlibra_task_reports.abstract_xlsx"
    _description = "Client Profitability Report (XLSX)"

    def _measure_columns(self, totals):
        return [
            {
                "key": "hours",
                "header": _("Hours"),
                "type": "hours",
                "width": 10,
                "total": "sum",
            },
            {
                "key": "change_request_hours",
                "header": _("Change-request Hours"),
                "type": "hours",
                "width": 14,
                "total": "sum",
            },
            {
                "key": "cost",
                "header": _("Cost"),
                "type": "money",
                "width": 14,
                "total": "sum",
            },
            {
                "key": "revenue",
                "header": _("Revenue"),
                "type": "money",
                "width": 14,
                "total": "sum",
            },
            {
                "key": "margin",
                "header": _("Margin"),
                "type": "money",
                "width": 14,
                "total": "sum",
            },
            {
                "key": "margin_percent",
                "header": _("Margin (%)"),
                "type": "percent",
                "width": 11,
                "total": Formula(MARGIN_PERCENT, totals["margin_percent"]),
            },
            {
                "key": "effective_rate",
                "header": _("Effective Hourly Rate"),
                "type": "money",
                "width": 14,
                "total": Formula(EFFECTIVE_RATE, totals["effective_rate"]),
            },
            {
                "key": "change_request_share",
                "header": _("Change-request Share (%)"),
                "type": "percent",
                "width": 14,
                "total": Formula(CR_SHARE, totals["change_request_share"]),
            },
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
            {"key": "name", "header": _("Client"), "width": 30},
            {"key": "contract_type", "header": _("Contract Type"), "width": 16},
            *self._measure_columns(totals),
            {
                "key": "consumption_percent",
                "header": _("Consumption (%)"),
                "type": "percent",
                "width": 13,
            },
            {
                "key": "target_margin",
                "header": _("Target Margin (%)"),
                "type": "percent",
                "width": 12,
            },
            {
                "key": "trailing_margin_percent",
                "header": _("Margin, Last 3 Months (%)"),
                "type": "percent",
                "width": 14,
            },
            {"key": "to_renegotiate", "header": _("To Renegotiate"), "width": 13},
            {
                "key": "suggested_fee",
                "header": _("Suggested Monthly Fee"),
                "type": "amount",
                "width": 14,
            },
            # A fee is in its contract's currency, not always the company's.
            {"key": "fee_currency", "header": _("Fee Currency"), "width": 10},
        ]

    def _trend_columns(self, totals):
        return [
            {"key": "month", "header": _("Month"), "type": "date", "width": 12},
            {"key": "name", "header": _("Client"), "width": 30},
            *self._measure_columns(totals),
        ]

    def generate_xlsx_report(self, workbook, data, objects):
        values = self.env[
            "report.qlibra_task_reports.report_profitability"
        ]._get_report_values(objects.ids, data)
        formats = self._get_formats(workbook, values["currency"])
        totals = values["totals"]

        sheet = workbook.add_worksheet(_("Clients"))
        columns = self._client_columns(totals)
        self._set_widths(sheet, columns)
        sheet.write_string(0, 0, _("Client Profitability"), formats["title"])
        sheet.write_string(1, 0, _("Period"), formats["label"])
        sheet.write_datetime(1, 1, values["date_from"], formats["date"])
        sheet.write_datetime(1, 2, values["date_to"], formats["date"])
        rows = [
            {
                "name": client["name"],
                "contract_type": client["contract_type_label"],
                **self._measure_values(client),
                "consumption_percent": client["consumption_percent"],
                "target_margin": client["target_margin"],
                "trailing_margin_percent": client["trailing_margin_percent"],
                "to_renegotiate": _("Yes") if client["to_renegotiate"] else _("No"),
                "suggested_fee": client["suggested_fee"],
                "fee_currency": client["contract"].currency_id.name
                if client["contract"]
                else "",
            }
            for client in values["clients"]
        ]
        self._write_table(
            sheet,
            3,
            columns,
            rows,
            formats,
            total_label=_("Total"),
            freeze=True,
            autofilter=True,
        )

        sheet = workbook.add_worksheet(_("Trend"))
        columns = self._trend_columns(totals)
        self._set_widths(sheet, columns)
        rows = [
            {
                "month": month["month"],
                "name": client["name"],
                **self._measure_values(month),
            }
            for client in values["clients"]
            for month in client["trend"]
        ]
        self._write_table(
            sheet,
            0,
            columns,
            rows,
            formats,
            total_label=_("Total"),
            freeze=True,
            autofilter=True,
        )
