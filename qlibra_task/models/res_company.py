# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    qlibra_overhead_rate = fields.Float(
        string="Overhead Rate (%)",
        digits=(16, 2),
        help="Added on top of each employee's hourly cost to cover rent, "
        "software and other overheads. Frozen on each timesheet line when "
        "it is logged.",
    )
    qlibra_warning_threshold = fields.Float(
        string="Consumption Warning Threshold (%)",
        default=80.0,
        digits=(16, 2),
        help="Warn the account manager when a subscription client has used "
        "this share of the hours included in the month.",
    )
    qlibra_default_target_margin = fields.Float(
        string="Default Target Margin (%)",
        default=30.0,
        digits=(16, 2),
        help="Target margin proposed on new client contracts.",
    )

    @api.constrains(
        "qlibra_overhead_rate",
        "qlibra_warning_threshold",
        "qlibra_default_target_margin",
    )
    def _check_qlibra_rates(self):
        for company in self:
            if company.qlibra_overhead_rate < 0:
                raise ValidationError(_("The overhead rate cannot be negative."))
            if not 0 < company.qlibra_warning_threshold <= 100:
                raise ValidationError(
                    _("The consumption warning threshold must be between 0 and 100%.")
                )
            if not 0 <= company.qlibra_default_target_margin < 100:
                raise ValidationError(
                    _("The default target margin must be between 0 and 100%.")
                )

    def write(self, vals):
        previous = {c: c.currency_id for c in self} if "currency_id" in vals else {}
        res = super().write(vals)
        # Contracts in the company's previous currency take its new one: it
        # changes only during set-up (a chart of accounts sets it), when
        # contracts were meant in the company's currency. Others keep theirs.
        Contract = self.env["qlibra.contract"].sudo().with_context(active_test=False)
        for company, currency in previous.items():
            if company.currency_id != currency:
                contracts = Contract.search(
                    [("company_id", "=", company.id), ("currency_id", "=", currency.id)]
                )
                contracts.with_context(qlibra_follow_company_currency=True).write(
                    {"currency_id": company.currency_id.id}
                )
        return res
