# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, models

from odoo.addons.qlibra_task.models.contract_type import contract_rule

from .report_xlsx_abstract import Formula, spec


class ClientStatementXlsx(models.AbstractModel):
    """The PDF's data (``_get_report_values``), a sheet per client."""

    _name = "report.qlibra_task_reports.report_client_statement_xlsx"
    _inherit = "report.qlibra_task_reports.abstract_xlsx"
    _description = "Client Statement (XLSX)"

    def _line_columns(self):
        return [
            spec("date", _("Date"), "date"),
            spec("contract", _("Contract"), width=28),
            spec("project", _("Project"), width=24),
            spec("task", _("Task"), width=28),
            spec("employee", _("Employee"), width=22),
            spec("description", _("Description"), width=40),
            spec("hours", _("Hours"), "hours", 10, "sum"),
            spec("change_request_hours", _("Change-request Hours"), "hours", 14, "sum"),
        ]

    def _billing_columns(self, rollover=False):
        """``rollover``: with the carried-hours balance of subscriptions."""
        carried = [
            spec("carried_in", _("Carried In"), "hours"),
            spec("used_carried", _("Carried Hours Used"), "hours"),
            spec("expired", _("Expired"), "hours"),
            spec("carried_out", _("Carried Out"), "hours"),
        ]
        return [
            spec("contract", _("Contract")),
            spec("item", _("Item")),
            spec("month", _("Month"), "date"),
            spec("included_hours", _("Included Hours"), "hours"),
            spec("hours", _("Hours"), "hours"),
            *(carried if rollover else []),
            spec("extra_hours", _("Extra Hours"), "hours"),
            spec("rate", _("Rate"), "money"),
            spec("amount", _("Amount"), "money", total="sum"),
        ]

    def _billing_rows(self, statement, currency):
        rows = []
        for section in statement["sections"]:
            if section["currency"] != currency:
                continue
            items = []
            for month in section["months"]:
                day = month["month"]
                items += [
                    {"item": _("Monthly fee"), "month": day, "amount": month["fee"]},
                    {
                        "item": _("Extra hours"),
                        "month": day,
                        "included_hours": month["included_hours"],
                        "hours": month["used_hours"],
                        "rate": month["overage_rate"],
                        "amount": month["overage_amount"],
                        **self._extra_hours_cells(section, month),
                    },
                ]
            if contract_rule(section["contract_type"]).hourly:
                # Not hours x rate: revenue is rounded per line, and the
                # statement bills the analysis' sum to the cent.
                items.append(
                    {
                        "item": _("Hours worked"),
                        "hours": section["hours"],
                        "rate": section["hourly_rate"],
                        "amount": section["amount"],
                    }
                )
            items += [
                {"item": d["task"], "month": d["date_done"], "amount": d["price"]}
                for d in section["deliveries"]
            ]
            rows += [{"contract": section["name"], **item} for item in items]
        return rows

    def _extra_hours_cells(self, section, month):
        """Formulas that show how _qlibra_rollover_balances() got the extra
        and carried hours (cached: the statement's figures). Carried In and
        Expired depend on earlier months, which no formula sees: numbers."""
        if not section["rollover"]:
            extra = Formula("MAX(0,{hours}-{included_hours})", month["extra_hours"])
            return {"extra_hours": extra}
        cap = section["contract"].rollover_max_hours
        return {
            "carried_in": month["carried_in"],
            "used_carried": Formula(
                "MIN({carried_in},MAX(0,{hours}-{included_hours}))",
                month["used_carried"],
            ),
            "expired": month["expired"],
            # the carried hours left, plus this month's unused ones up to the cap
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
        report = self.env["report.qlibra_task_reports.report_client_statement"]
        values = report._get_report_values(objects.ids, data)
        for statement in values["statements"].values():
            writer = self.with_context(lang=statement["lang"])
            writer._write_statement(workbook, statement)
        if not values["docs"]:
            workbook.add_worksheet(_("Statement"))

    def _firm_identity_lines(self, company):
        """The firm's name, address and VAT number, as on the PDF."""
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
        # The firm first, as on the PDF: the sheet is a document of its own.
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
        columns, lines = self._line_columns(), statement["lines"]
        row = self._write_table(
            sheet, row + 5, columns, lines, formats, _("Total"), main=True
        )
        # A billing table per currency, each with its total: two currencies
        # are never added.
        totals = statement["totals"]
        rollover = any(section["rollover"] for section in statement["sections"])
        columns = self._billing_columns(rollover)
        for currency in (total["currency"] for total in totals):
            billing = self._billing_rows(statement, currency)
            if not billing:
                continue
            title = _("Billing") + (f" ({currency.name})" if len(totals) > 1 else "")
            sheet.write_string(row + 1, 0, title, formats["title"])
            formats = self._get_formats(workbook, currency)
            row = self._write_table(
                sheet, row + 2, columns, billing, formats, _("Total amount")
            )
