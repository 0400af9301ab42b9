# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models

from odoo.addons.qlibra_task_reports.report.report_xlsx_abstract import spec


class ClientStatementXlsx(models.AbstractModel):
    """The period's invoices below the statement, on the client's sheet."""

    _inherit = "report.qlibra_task_reports.report_client_statement_xlsx"

    def _write_statement(self, workbook, statement):
        super()._write_statement(workbook, statement)
        if not statement["invoices"]:
            return
        columns = [
            spec("date", _("Date"), "date"),
            spec("name", _("Number")),
            spec("type_label", _("Type")),
            spec("currency", _("Invoice Currency")),
            # A plain number: the amount is in the invoice's currency.
            spec("amount_currency", _("Untaxed Amount in Invoice Currency"), "hours"),
            spec("amount", _("Untaxed Amount"), "money", total="sum"),
        ]
        # The statement's sheet is the last one added, its last row its end.
        sheet = workbook.worksheets()[-1]
        formats = self._get_formats(workbook, statement["currency"])
        row = sheet.dim_rowmax + 2
        sheet.write_string(row, 0, _("Invoices of the Period"), formats["title"])
        rows = [{**i, "currency": i["currency"].name} for i in statement["invoices"]]
        self._write_table(
            sheet, row + 1, columns, rows, formats, total_label=_("Total invoiced")
        )
