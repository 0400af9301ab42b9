# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """The currency of each of the user's companies, for the analysis
        pivot's amounts (formatter qlibra_company_monetary)."""
        result = super().session_info()
        if self.env.user._is_internal():
            result["qlibra_company_currencies"] = {
                company.id: company.currency_id.id
                for company in self.env.user.company_ids
            }
        return result
