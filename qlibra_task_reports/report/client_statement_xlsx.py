# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models

from odoo.addons.qlibra_task.models.contract_type import contract_rule

from .report_xlsx_abstract import Formula


class ClientStatementXlsx(models.AbstractModel):
    """The client statement as XLSX: one sheet per client, in its language.

    Lays out ``report.qlibra_task_reports.report_client_statement``'s
    ``_get_report_values``; computes nothing of its own.
    """

    _name = "report.qlibra_task_reports.report_client_statement_xlsx"
    _inherit = "report.qlibra_task_reports.abstract_xlsx"
    _description = "Client Statement (XLSX)"

    def _line_columns(self):
        return [
            {"key": "date", "header": _("Date"), "type": "date", "width": 12},
            {"key": "contract", "header": _("Contract"), "width": 28},
            {"key": "project", "header": _("Project"), "width": 24},
            {"key": "task", "header": _("Task"), "width": 28},
            {"key": "employee", "header": _("Employee"), "width": 22},
            {"key": "description", "header": _("Description"), "width": 40},
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
        ]

    def _billing_columns(self, rollover=False):
        """The billing table's columns; ``rollover``: with the carried-hours
        balance of subscriptions whose unused hours roll over."""
        carried = [
            {
                "key": "carried_in",
                "header": _("Carried In"),
                "type": "hours",
                "width": 12,
            },
            {
                "key": "used_carried",
                "header": _("Carried Hours Used"),
                "type": "hours",
                "width": 12,
            },
            {"key": "expired", "header": _("Expired"), "type": "hours", "width": 12},
            {
                "key": "carried_out",
                "header": _("Carried Out"),
                "type": "hours",
                "width": 12,
            },
        ]
        return [
            {"key": "contract", "header": _("Contract"), "width": 28},
            {"key": "item", "header": _("Item"), "width": 24},
            {"key": "month", "header": _("Month"), "type": "date", "width": 12},
            {
                "key": "included_hours",
                "header": _("Included Hours"),
                "type": "hours",
                "width": 24,
            },
            {"key": "hours", "header": _("Hours"), "type": "hours", "width": 40},
            *(carried if rollover else []),
            {
                "key": "extra_hours",
                "header": _("Extra Hours"),
                "type": "hours",
                "width": 10,
            },
            {"key": "rate", "header": _("Rate"), "type": "money", "width": 14},
            {
                "key": "amount",
                "header": _("Amount"),
                "type": "money",
                "width": 14,
                "total": "sum",
            },
        ]

    def _billing_rows(self, statement, currency=None):
        """The billing rows of the statement, of the sections in ``currency``
        only when given."""
        rows = []
        for section in statement["sections"]:
            if currency and section["currency"] != currency:
                continue
            for month in section["months"]:
                rows.append(
                    {
                        "contract": section["name"],
                        "item": _("Monthly fee"),
                        "month": month["month"],
                        "amount": month["fee"],
                    }
                )
                rows.append(
                    {
                        "contract": section["name"],
                        "item": _("Extra hours"),
                        "month": month["month"],
                        "included_hours": month["included_hours"],
                        "hours": month["used_hours"],
                        "rate": month["overage_rate"],
                        "amount": month["overage_amount"],
                        **self._extra_hours_cells(section, month),
                    }
                )
            if contract_rule(section["contract_type"]).hourly:
                rows.append(
                    {
                        "contract": section["name"],
                        "item": _("Hours worked"),
                        "hours": section["hours"],
                        "rate": section["hourly_rate"],
                        # Not hours x rate: revenue is rounded per line, and
                        # the statement bills the analysis' sum to the cent.
                        "amount": section["amount"],
                    }
                )
            for delivery in section["deliveries"]:
                rows.append(
                    {
                        "contract": section["name"],
                        "item": delivery["task"],
                        "month": delivery["date_done"],
                        "amount": delivery["price"],
                    }
                )
        return rows

    def _extra_hours_cells(self, section, month):
        """The extra hours of a month and, with rollover, its carried-hours
        balance, as cells: formulas of the row that show how
        qlibra.contract._qlibra_rollover_balances() got them (the statement's
        figures are their values). Carried In and Expired are numbers: which
        earlier hours are still usable or expire this month depends on the
        months before the period (oldest first, each for rollover_months
        months), which no formula of the row sees.
        """
        if not section["rollover"]:
            return {
                "extra_hours": Formula(
                    "MAX(0,{hours}-{included_hours})", month["extra_hours"]
                )
            }
        cap = section["contract"].rollover_max_hours
        return {
            "carried_in": month["carried_in"],
            "used_carried": Formula(
                "MIN({carried_in},MAX(0,{hours}-{included_hours}))",
                month["used_carried"],
            ),
            "expired": month["expired"],
            # what is left of the carried hours, plus this month's unused
            # included hours up to the cap
            "carried_out": Formula(
                "{carried_in}-{used_carried}-{expired}"
                f"+MIN({cap!r},MAX(0,{{included_hours}}-{{hours}}))",
                month["carried_out"],
            ),
            "extra_hours": Formula(
                "MAX(0,{hours}-{included_hours}-{carried_in})", month["extra_hours"]
            ),
        }

    def generate_xlsx_report(self, workbook, data, objects):
        values = self.env[
            "report.qlibra_task_reports.report_client_statement"
        ]._get_report_values(objects.ids, data)
        for partner in values["docs"]:
            statement = values["statements"][partner.id]
            self.with_context(lang=statement["lang"])._write_statement(
                workbook, statement
            )
        if not values["docs"]:
            workbook.add_worksheet(_("Statement"))

    def _firm_identity_lines(self, company):
        """The firm's name, address lines and VAT number, as the PDF shows
        them above the client's address (report_firm_identity)."""
        address = company.partner_id._display_address(without_company=True)
        lines = [company.name or ""]
        lines += [line.strip() for line in address.splitlines() if line.strip()]
        if company.vat:
            label = company.country_id.vat_label or _("VAT")
            lines.append(f"{label}: {company.vat}")
        return lines

    def _write_statement(self, workbook, statement):
        formats = self._get_formats(workbook, statement["currency"])
        sheet = workbook.add_worksheet(self._sheet_name(statement["partner"].name))
        columns = self._line_columns()
        self._set_widths(sheet, columns)
        # The firm first: the sheet sent to a client is a document of its own.
        row = 0
        # The company printing, as on the PDF (report values' "company").
        for row, text in enumerate(self._firm_identity_lines(self.env.company)):
            sheet.write_string(row, 0, text, formats["label"] if not row else None)
        row += 2
        sheet.write_string(row, 0, _("Statement of Work Done"), formats["title"])
        sheet.write_string(row + 1, 0, _("Client"), formats["label"])
        sheet.write_string(row + 1, 1, statement["partner"].name)
        sheet.write_string(row + 2, 0, _("Period"), formats["label"])
        sheet.write_datetime(row + 2, 1, statement["date_from"], formats["date"])
        sheet.write_datetime(row + 2, 2, statement["date_to"], formats["date"])
        if statement["is_empty"]:
            sheet.write_string(
                row + 3,
                0,
                _("No work was recorded for you and nothing is billed in this period."),
            )
        table_row = row + 5
        lines = [
            {
                **line,
                "change_request_hours": line["hours"]
                if line["is_change_request"]
                else 0.0,
            }
            for line in statement["lines"]
        ]
        row = self._write_table(
            sheet,
            table_row,
            columns,
            lines,
            formats,
            total_label=_("Total"),
            freeze=True,
            autofilter=True,
        )
        # One billing table per currency, each with its total: two
        # currencies are never added.
        totals = statement["totals"]
        for total in totals:
            currency = total["currency"]
            billing = self._billing_rows(statement, currency)
            if not billing:
                continue
            title = _("Billing")
            if len(totals) > 1:
                title = f"{title} ({currency.name})"
            row += 1
            sheet.write_string(row, 0, title, formats["title"])
            row = self._write_table(
                sheet,
                row + 1,
                self._billing_columns(
                    rollover=any(
                        section["rollover"] for section in statement["sections"]
                    )
                ),
                billing,
                self._get_formats(workbook, currency),
                total_label=_("Total amount"),
            )
