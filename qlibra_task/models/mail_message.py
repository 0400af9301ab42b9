# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def _find_allowed_model_wise(self, doc_model, doc_dict):
        # A contract's chatter is for those who may write it: a search must
        # find no message one may not read (_get_mail_message_access).
        if doc_model == "qlibra.contract" and not self.env["ir.model.access"].check(
            doc_model, "write", raise_exception=False
        ):
            return set()
        return super()._find_allowed_model_wise(doc_model, doc_dict)
