# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.qlibra_task.models.groups import ACCOUNTANT_GROUP

# Context key: the view as qlibra_task alone builds it (uninstall hook).
WITHOUT_INVOICING = "qlibra_task_account_without_invoicing"

# Invoice rows' ids are below -2**50: out of the other branches' reach, within
# a browser's exact integers (2**53).
INVOICE_ID_OFFSET = 2**50


class QlibraProfitabilityReport(models.Model):
    """A row per posted customer invoice or credit note (``invoiced``, on its
    month); ``to_invoice`` = revenue - invoiced on every row, so that any
    grouping sums earned - invoiced."""

    _inherit = "qlibra.profitability.report"

    _depends = {
        "account.move": ["move_type", "state", "invoice_date", "company_id"]
        + ["commercial_partner_id"],
        "account.move.line": ["move_id", "display_type", "balance"],
        "res.company": ["currency_id"],
    }

    row_type = fields.Selection(selection_add=[("invoice", "Invoice")])
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    invoiced = fields.Monetary(
        readonly=True,
        groups=ACCOUNTANT_GROUP,
        help="Posted customer invoices minus credit notes, untaxed, in company "
        "currency, on the month of their invoice date.",
    )
    to_invoice = fields.Monetary(
        readonly=True,
        groups=ACCOUNTANT_GROUP,
        help="Revenue earned by the contracts' rules - invoiced. Positive: "
        "still to invoice; negative: invoiced ahead of the work.",
    )
    realization_percent = fields.Float(
        string="Realization (%)",
        readonly=True,
        aggregator="avg",
        groups=ACCOUNTANT_GROUP,
        help="Invoiced / earned revenue of the cell's sums; empty without "
        "earned revenue.",
    )

    @property
    def COLUMNS(self):
        columns = super().COLUMNS
        if self.env.context.get(WITHOUT_INVOICING):
            return columns
        # A ratio only makes sense over sums: see _read_group_select().
        ratios = (("realization_percent", "float8"),)
        return (*columns, ("move_id", "integer"), ("invoiced", "float8"), *ratios)

    @api.model
    def _query(self):
        query = super()._query()
        if self.env.context.get(WITHOUT_INVOICING):
            return query
        return SQL("%s UNION ALL %s", query, self._query_invoice())

    @api.model
    def _branch(self, values, from_where):
        if not self.env.context.get(WITHOUT_INVOICING):
            values = {"invoiced": SQL("0"), **values}
        return super()._branch(values, from_where)

    @api.model
    def _outer_columns(self, alias):
        columns = super()._outer_columns(alias)
        if not self.env.context.get(WITHOUT_INVOICING):
            columns["to_invoice"] = SQL(
                "%s - %s.invoiced", columns["revenue"], SQL.identifier(alias)
            )
        return columns

    @api.model
    def _invoice_moves(self):
        """What is invoiced (analysis, statement): per posted customer invoice
        or credit note, its untaxed product lines in company currency
        (``amount``) and its own (``amount_currency``)."""
        return SQL(
            """SELECT am.id AS move_id, am.invoice_date, am.company_id,
                      am.commercial_partner_id AS partner_id, am.currency_id,
                      SUM(-aml.balance) AS amount,
                      SUM(-aml.amount_currency) AS amount_currency
                 FROM account_move am
                 JOIN account_move_line aml ON aml.move_id = am.id
                WHERE am.move_type IN ('out_invoice', 'out_refund')
                  AND am.state = 'posted'
                  AND aml.display_type = 'product'
             GROUP BY am.id, am.invoice_date, am.company_id,
                      am.commercial_partner_id, am.currency_id"""
        )

    @api.model
    def _query_invoice(self):
        return self._branch(
            {
                "id": SQL("-(%s + i.move_id::bigint)", INVOICE_ID_OFFSET),
                "row_type": SQL("'invoice'"),
                "date": SQL("date_trunc('month', i.invoice_date)"),
                "company_id": SQL("i.company_id"),
                "currency_id": SQL("company.currency_id"),
                "contract_currency_id": SQL("company.currency_id"),
                "partner_id": SQL("i.partner_id"),
                "move_id": SQL("i.move_id"),
                **self._revenue_only(SQL("0")),
                "invoiced": SQL("i.amount"),
            },
            SQL(
                "FROM (%s) i JOIN res_company company ON company.id = i.company_id",
                self._invoice_moves(),
            ),
        )

    @api.model
    def _qlibra_ratios(self):
        return {
            **super()._qlibra_ratios(),
            "realization_percent:avg": ("invoiced", "revenue", 100.0),
        }
