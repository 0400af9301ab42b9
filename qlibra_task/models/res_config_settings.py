# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    qlibra_overhead_rate = fields.Float(
        related="company_id.qlibra_overhead_rate", readonly=False
    )
    qlibra_warning_threshold = fields.Float(
        related="company_id.qlibra_warning_threshold", readonly=False
    )
    qlibra_default_target_margin = fields.Float(
        related="company_id.qlibra_default_target_margin", readonly=False
    )
