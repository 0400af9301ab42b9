# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.qlibra_task.models.groups import MANAGER_GROUP
from odoo.addons.qlibra_task.models.qlibra_today import today as qlibra_today

REPORT = "qlibra_task_reports.action_report_service_review"
MAIL_TEMPLATE = "qlibra_task_reports.mail_template_service_review"


class QlibraServiceReviewWizard(models.TransientModel):
    """Print or e-mail the service review of a contract: builds the
    report's ``data``, nothing more (the figures are the report's)."""

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
            partner = wizard.contract_id.partner_id
            # The suggested fee comes from costs, which an accountant may not
            # read: only its result is shown, the fee the review proposes.
            wizard.proposed_fee = (
                partner.sudo().qlibra_suggested_fee if partner else 0.0
            )

    def _get_data(self):
        self.ensure_one()
        if self.proposed_fee < 0:
            raise UserError(_("The proposed fee cannot be negative."))
        # The contract travels in data too: for a report action with data,
        # the web client requests /report/pdf/<report>?options=<data> without
        # record ids.
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
        """The mail composer on the contract with the service review template:
        the review PDF, rendered with this wizard's choices, is attached, and
        sending posts the e-mail in the contract's chatter."""
        self.ensure_one()
        Period = self.env["qlibra.report.period"]
        # Sending posts in the contract's chatter, which carries costs and
        # margins: managers only (accountants print the review).
        Period._check_group(
            MANAGER_GROUP,
            _("Only client profitability managers can send service reviews."),
        )
        data = self._get_data()
        if not self.contract_id.partner_id.email:
            raise UserError(
                _(
                    "The client %s has no e-mail address.",
                    self.contract_id.partner_id.display_name,
                )
            )
        return Period._composer_action(
            _("Send the Service Review"),
            self.contract_id,
            self.env.ref(MAIL_TEMPLATE, raise_if_not_found=False),
            # Read by the report when the template renders the PDF.
            {f"qlibra_review_{key}": value for key, value in data.items()},
        )
