# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from operator import itemgetter

from odoo import api, models
from odoo.tools import SQL, groupby


class ClientStatementReport(models.AbstractModel):
    """The period's invoices and their sum; with invoices it is not empty."""

    _inherit = "report.qlibra_task_reports.report_client_statement"

    @api.model
    def _get_statements(self, partners, date_from, date_to):
        statements = super()._get_statements(partners, date_from, date_to)
        invoices = self._get_invoice_rows(partners, date_from, date_to)
        currencies = self.env["res.currency"].browse(
            {row["currency_id"] for rows in invoices.values() for row in rows}
        )
        for partner_id, statement in statements.items():
            rows = invoices.get(partner_id, [])
            moves = self.env["account.move"].with_context(lang=statement["lang"])
            move_type = moves._fields["move_type"]
            statement["invoices"] = [
                {
                    "name": row["name"],
                    "date": row["invoice_date"],
                    "move_type": row["move_type"],
                    "type_label": move_type.convert_to_export(row["move_type"], moves),
                    "amount": row["amount"],
                    "amount_currency": row["amount_currency"],
                    "currency": currencies.browse(row["currency_id"]),
                    "foreign_currency": row["currency_id"] != statement["currency"].id,
                }
                for row in rows
            ]
            statement["invoiced"] = sum(row["amount"] for row in rows)
            statement["is_empty"] = statement["is_empty"] and not rows
        return statements

    @api.model
    def _get_invoice_rows(self, partners, date_from, date_to):
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        query = SQL(
            """SELECT i.partner_id, i.invoice_date, i.amount::float8 AS amount,
                      i.amount_currency::float8 AS amount_currency,
                      i.currency_id, am.name, am.move_type
                 FROM (%(invoices)s) i
                 JOIN account_move am ON am.id = i.move_id
                WHERE i.partner_id = ANY(%(partners)s)
                  AND i.company_id = ANY(%(companies)s)
                  AND i.invoice_date BETWEEN %(date_from)s AND %(date_to)s
             ORDER BY i.invoice_date, am.name, am.id""",
            invoices=self.env["qlibra.profitability.report"]._invoice_moves(),
            partners=partners.ids,
            companies=self.env.companies.ids,
            date_from=date_from,
            date_to=date_to,
        )
        rows = self.env.execute_query_dict(query)
        return dict(groupby(rows, itemgetter("partner_id")))
