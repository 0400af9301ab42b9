# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from collections import namedtuple

from xlsxwriter.utility import xl_rowcol_to_cell

from odoo import models

FORMATS = {
    "title": {"bold": True, "font_size": 14},
    "label": {"bold": True},
    "header": {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True},
    "text": {},
    "date": {"num_format": "yyyy-mm-dd"},
    "hours": {"num_format": "#,##0.00"},
    # an amount whose currency is in a column of its own
    "amount": {"num_format": "#,##0.00"},
    "percent": {"num_format": "0.0%"},
    "integer": {"num_format": "0"},
}
TOTAL = {"bold": True, "top": 1}


# Of its row's cells ({key}), cached for readers that compute no formulas.
Formula = namedtuple("Formula", "expression value", defaults=[None])


def spec(key, header, ctype="text", width=12, total=None):
    """A column: ``key`` of its value in each row (a value or a Formula);
    ``ctype``: text, date, hours, money, amount, percent (0-100) or integer;
    ``total``: "sum" or a Formula of the total row."""
    return {"key": key, "header": header, "type": ctype, "width": width, "total": total}


class QlibraReportXlsxAbstract(models.AbstractModel):
    """Tables driven by column specifications (``spec``)."""

    _name = "report.qlibra_task_reports.abstract_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "qLibra XLSX Report Tables"

    def _get_formats(self, workbook, currency):
        money = {"num_format": self._report_xlsx_currency_format(currency)}
        formats = {}
        for name, props in {**FORMATS, "money": money}.items():
            formats[name] = workbook.add_format(props)
            formats[f"total_{name}"] = workbook.add_format({**props, **TOTAL})
        formats["header"].set_align("vcenter")
        return formats

    def _sheet_name(self, name):
        return re.sub(r"[\[\]:*?/\\']", " ", name or "-").strip()[:31] or "-"

    def _write(self, sheet, row, col, value, columns, formats, prefix=""):
        ctype = columns[col]["type"]
        cell_format = formats[prefix + ctype]
        if isinstance(value, Formula):
            cached = value.value
            if ctype == "percent" and cached is not None:
                cached /= 100.0
            refs = {c["key"]: xl_rowcol_to_cell(row, i) for i, c in enumerate(columns)}
            formula = "=" + value.expression.format(**refs)
            cached = "" if cached is None else cached
            sheet.write_formula(row, col, formula, cell_format, cached)
        elif value is None or value is False or value == "":
            sheet.write_blank(row, col, None, cell_format)
        elif ctype == "date":
            sheet.write_datetime(row, col, value, cell_format)
        elif ctype in ("hours", "money", "amount", "integer", "percent"):
            value = value / 100.0 if ctype == "percent" else value
            sheet.write_number(row, col, value, cell_format)
        else:
            sheet.write_string(row, col, str(value), cell_format)

    def _write_table(
        self, sheet, row, columns, records, formats, total_label=None, main=False
    ):
        """The next free row; ``main``: column widths, frozen header, filter."""
        header, first = row, row + 1
        for col, column in enumerate(columns):
            sheet.write_string(row, col, column["header"], formats["header"])
            if main:
                sheet.set_column(col, col, column["width"])
        for record in records:
            row += 1
            for col, column in enumerate(columns):
                value = record.get(column["key"])
                self._write(sheet, row, col, value, columns, formats)
        last = row
        if main:
            sheet.freeze_panes(first, 0)
            sheet.autofilter(header, 0, max(last, header), col)
        if total_label is None:
            return row + 1
        row += 1
        for col, column in enumerate(columns):
            total = column["total"]
            if total == "sum":
                cells = ":".join(xl_rowcol_to_cell(r, col) for r in (first, last))
                values = [record.get(column["key"]) for record in records]
                values = [v.value if isinstance(v, Formula) else v for v in values]
                cached = sum(v for v in values if isinstance(v, int | float))
                total = Formula(f"SUM({cells})" if last >= first else "0", cached)
            if col == 0 and not total:
                sheet.write_string(row, col, total_label, formats["total_text"])
            else:
                self._write(sheet, row, col, total or None, columns, formats, "total_")
        return row + 1
