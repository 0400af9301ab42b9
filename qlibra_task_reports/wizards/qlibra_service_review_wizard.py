# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.qlibra_task.models.groups import MANAGER_GROUP
from odoo.addons.qlibra_task.models.qlibra_today import today as qlibra_today

REPORT = "qlibra_task_reports.action_report_service_review"
MAIL_TEMPLATE = "qlibra_task_reports.mail_template_service_review"


class QlibraServiceReviewWizard(models.TransientModel):
    """Builds the service review's ``data``, nothing more."""

    _name = "qlibra.service.review.wizard"
    _description = "Print or Send a Service Review"

    contract_id = fields.Many2one(
        "qlibra.contract",
        required=True,
        ondelete="cascade",
        default=lambda self: (
            self.env.context.get("active_model") == "qlibra.contract"
            and self.env.context.get("active_id")
        ),
    )
    currency_id = fields.Many2one(related="contract_id.currency_id")
    months = fields.Selection(
        [("6", "Last 6 Months"), ("12", "Last 12 Months")],
        string="Period",
        required=True,
        default="6",
        help="The full calendar months before the current month.",
    )
    proposed_fee = fields.Monetary(
        string="Proposed Monthly Fee",
        compute="_compute_proposed_fee",
        store=True,
        readonly=False,
        help="By default, the client's suggested monthly fee.",
    )
    effective_date = fields.Date(
        string="Effective From",
        required=True,
        default=lambda self: self.env["qlibra.report.period"]._next_month(),
    )

    @api.depends("contract_id")
    def _compute_proposed_fee(self):
        for wizard in self:
            # From costs, which an accountant may not read: only its result.
            partner = wizard.contract_id.partner_id.sudo()
            wizard.proposed_fee = partner.qlibra_suggested_fee

    def _get_data(self):
        self.ensure_one()
        if self.proposed_fee < 0:
            raise UserError(_("The proposed fee cannot be negative."))
        # data carries the contract: the web client prints a report with no ids.
        return {
            "contract_ids": self.contract_id.ids,
            "months": int(self.months),
            "reference_month": fields.Date.to_string(qlibra_today(self)),
            "proposed_fee": self.proposed_fee,
            "effective_date": fields.Date.to_string(self.effective_date),
        }

    def action_print(self):
        self.ensure_one()
        return self.env["qlibra.report.period"]._print_action(
            REPORT, self.contract_id, self._get_data()
        )

    def action_send(self):
        """The composer with the review of this wizard's choices, posted in
        the contract's chatter, which shows costs: managers only."""
        self.ensure_one()
        Period = self.env["qlibra.report.period"]
        message = _("Only client profitability managers can send service reviews.")
        Period._check_group(MANAGER_GROUP, message)
        data, client = self._get_data(), self.contract_id.partner_id
        if not client.email:
            raise UserError(
                _("The client %s has no e-mail address.", client.display_name)
            )
        return Period._composer_action(
            _("Send the Service Review"),
            self.contract_id,
            self.env.ref(MAIL_TEMPLATE, raise_if_not_found=False),
            # Read by the report when the template renders the PDF.
            {f"qlibra_review_{key}": value for key, value in data.items()},
        )
