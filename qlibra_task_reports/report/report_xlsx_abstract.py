# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import models

try:
    from xlsxwriter.utility import xl_rowcol_to_cell
except ImportError:  # pragma: no cover - xlsxwriter is a declared dependency
    xl_rowcol_to_cell = None


class Formula:
    """A cell formula whose ``{key}`` placeholders name columns of its row.

    ``value`` is the cached result written with the formula, so that readers
    that do not compute formulas still show the number.
    """

    def __init__(self, expression, value=None):
        self.expression = expression
        self.value = value


def _cached(value):
    """The number a cell holds, for the cached result of a SUM."""
    if isinstance(value, Formula):
        value = value.value
    return value if isinstance(value, int | float) else 0.0


def spec(key, header, ctype="text", width=12, total=None):
    """A column of a table: ``key`` of its value in each row dict (a value
    may be a ``Formula`` of its row's cells); ``ctype``: text, date, hours,
    money, amount, percent (values 0-100, shown as %) or integer;
    ``total``: "sum" or a ``Formula`` of the total row's cells."""
    return {"key": key, "header": header, "type": ctype, "width": width, "total": total}


class QlibraReportXlsxAbstract(models.AbstractModel):
    """Tables driven by column specifications (``spec``)."""

    _name = "report.qlibra_task_reports.abstract_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "qLibra XLSX Report Tables"

    def _get_formats(self, workbook, currency):
        money = self._report_xlsx_currency_format(currency)
        specs = {
            "title": {"bold": True, "font_size": 14},
            "label": {"bold": True},
            "header": {
                "bold": True,
                "bg_color": "#D9E1F2",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            },
            "text": {},
            "date": {"num_format": "yyyy-mm-dd"},
            "hours": {"num_format": "#,##0.00"},
            "money": {"num_format": money},
            # an amount whose currency is in a column of its own
            "amount": {"num_format": "#,##0.00"},
            "percent": {"num_format": "0.0%"},
            "integer": {"num_format": "0"},
        }
        formats = {}
        for name, spec in specs.items():
            formats[name] = workbook.add_format(spec)
            formats[f"total_{name}"] = workbook.add_format(
                {**spec, "bold": True, "top": 1}
            )
        return formats

    def _sheet_name(self, name):
        return re.sub(r"[\[\]:*?/\\']", " ", name or "-").strip()[:31] or "-"

    def _write_cell(self, sheet, row, col, value, column, formats):
        ctype = column.get("type", "text")
        cell_format = formats[ctype]
        if value is None or value is False or value == "":
            sheet.write_blank(row, col, None, cell_format)
        elif ctype == "date":
            sheet.write_datetime(row, col, value, cell_format)
        elif ctype in ("hours", "money", "amount", "integer"):
            sheet.write_number(row, col, value, cell_format)
        elif ctype == "percent":
            sheet.write_number(row, col, value / 100.0, cell_format)
        else:
            sheet.write_string(row, col, str(value), cell_format)

    def _write_table(
        self,
        sheet,
        row,
        columns,
        records,
        formats,
        total_label=None,
        main=False,
    ):
        """Write a header row, one row per record, and an optional total
        row; return the first free row after the table. ``main``: the
        sheet's main table, which sets the column widths, with a frozen
        header and a filter."""
        header_row = row
        for col, column in enumerate(columns):
            sheet.write_string(row, col, column["header"], formats["header"])
        first = row + 1
        for record in records:
            row += 1
            for col, column in enumerate(columns):
                value = record.get(column["key"])
                if isinstance(value, Formula):
                    self._write_formula(sheet, row, col, value, columns, formats)
                else:
                    self._write_cell(sheet, row, col, value, column, formats)
        last = row
        if main:
            for col, column in enumerate(columns):
                sheet.set_column(col, col, column.get("width", 12))
            sheet.freeze_panes(header_row + 1, 0)
            sheet.autofilter(header_row, 0, max(last, header_row), len(columns) - 1)
        if total_label is None:
            return row + 1
        row += 1
        for col, column in enumerate(columns):
            ctype = column.get("type", "text")
            total = column.get("total")
            if col == 0 and not total:
                sheet.write_string(row, col, total_label, formats["total_text"])
            elif total == "sum":
                cells = (
                    f"{xl_rowcol_to_cell(first, col)}:{xl_rowcol_to_cell(last, col)}"
                )
                cached = sum(_cached(r.get(column["key"])) for r in records)
                sheet.write_formula(
                    row,
                    col,
                    f"=SUM({cells})" if last >= first else "=0",
                    formats[f"total_{ctype}"],
                    cached or 0,
                )
            elif isinstance(total, Formula):
                self._write_formula(sheet, row, col, total, columns, formats, "total_")
            else:
                sheet.write_blank(row, col, None, formats[f"total_{ctype}"])
        return row + 1

    def _write_formula(self, sheet, row, col, formula, columns, formats, prefix=""):
        """``formula`` of the cells of ``row``, with its cached value."""
        ctype = columns[col].get("type", "text")
        cached = formula.value
        if ctype == "percent" and cached is not None:
            cached /= 100.0
        refs = {
            column["key"]: xl_rowcol_to_cell(row, index)
            for index, column in enumerate(columns)
        }
        sheet.write_formula(
            row,
            col,
            "=" + formula.expression.format(**refs),
            formats[f"{prefix}{ctype}"],
            "" if cached is None else cached,
        )
