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
