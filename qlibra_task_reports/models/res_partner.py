# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from odoo.addons.qlibra_task.models.groups import ACCOUNTANT_GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        # Accountants send clients their statements (SPEC, Access), and Odoo
        # posts each e-mail in the client's chatter; they need not be allowed
        # to edit contacts for that, as for posting on any contact they read.
        if operation == "create" and self.env.user.has_group(ACCOUNTANT_GROUP):
            return "read"
        return super()._get_mail_message_access(res_ids, operation, model_name)
