# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def _find_allowed_model_wise(self, doc_model, doc_dict):
        # Searching messages checks read access on their documents, but the
        # chatter of a contract is for those who may write it (see
        # qlibra.contract._get_mail_message_access): keep search and read in
        # line, so an employee's search finds no message it may not read.
        if doc_model == "qlibra.contract" and not self.env["ir.model.access"].check(
            doc_model, "write", raise_exception=False
        ):
            return set()
        return super()._find_allowed_model_wise(doc_model, doc_dict)
