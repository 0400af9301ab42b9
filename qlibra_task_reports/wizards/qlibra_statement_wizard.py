# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.qlibra_task.models.groups import ACCOUNTANT_GROUP, MANAGER_GROUP
from odoo.addons.qlibra_task.models.qlibra_today import today as qlibra_today

REPORTS = {
    ("statement", "pdf"): "qlibra_task_reports.action_report_client_statement",
    ("statement", "xlsx"): "qlibra_task_reports.action_report_client_statement_xlsx",
    ("profitability", "pdf"): "qlibra_task_reports.action_report_profitability",
    ("profitability", "xlsx"): "qlibra_task_reports.action_report_profitability_xlsx",
}


class QlibraStatementWizard(models.TransientModel):
    """Pick a period, clients and a format; print or e-mail the reports.

    Builds the reports' ``data`` and picks the report action, nothing more.
    """

    _name = "qlibra.statement.wizard"
    _description = "Print or Send Client Statements"

    period = fields.Selection(
        [
            ("this_month", "This Month"),
            ("last_month", "Last Month"),
            ("this_quarter", "This Quarter"),
            ("last_quarter", "Last Quarter"),
            ("this_year", "This Year"),
            ("last_year", "Last Year"),
            ("custom", "Custom"),
        ],
        required=True,
        default="last_month",
    )
    date_from = fields.Date(
        string="From",
        default=lambda self: self._default_dates()[0],
        compute="_compute_dates",
        store=True,
        readonly=False,
        required=True,
    )
    date_to = fields.Date(
        string="To",
        default=lambda self: self._default_dates()[1],
        compute="_compute_dates",
        store=True,
        readonly=False,
        required=True,
    )
    report = fields.Selection(
        [
            ("statement", "Client Statement"),
            ("profitability", "Profitability Report"),
        ],
        required=True,
        default="statement",
    )
    file_format = fields.Selection(
        [("pdf", "PDF"), ("xlsx", "Excel (XLSX)")],
        string="Format",
        required=True,
        default="pdf",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Clients",
        compute="_compute_partner_ids",
        store=True,
        readonly=False,
        help="By default, every client with a contract running in the period, "
        "the firm's own companies excepted.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'res.partner')]",
        default=lambda self: self.env.ref(
            "qlibra_task_reports.mail_template_client_statement",
            raise_if_not_found=False,
        ),
    )

    @api.model
    def _default_dates(self):
        """The previous calendar month."""
        month = qlibra_today(self).replace(day=1)
        return month - relativedelta(months=1), month - relativedelta(days=1)

    @api.depends("period")
    def _compute_dates(self):
        today = qlibra_today(self)
        month = today.replace(day=1)
        quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        year = month.replace(month=1)
        ranges = {
            "this_month": (month, relativedelta(months=1)),
            "last_month": (month - relativedelta(months=1), relativedelta(months=1)),
            "this_quarter": (quarter, relativedelta(months=3)),
            "last_quarter": (
                quarter - relativedelta(months=3),
                relativedelta(months=3),
            ),
            "this_year": (year, relativedelta(years=1)),
            "last_year": (year - relativedelta(years=1), relativedelta(years=1)),
        }
        for wizard in self:
            if wizard.period in ranges:
                start, length = ranges[wizard.period]
                wizard.date_from = start
                wizard.date_to = start + length - relativedelta(days=1)
            elif not wizard.date_from or not wizard.date_to:
                wizard.date_from, wizard.date_to = self._default_dates()

    @api.depends("date_from", "date_to")
    def _compute_partner_ids(self):
        ctx = self.env.context
        if ctx.get("active_model") == "res.partner" and ctx.get("active_ids"):
            selected = self.env["res.partner"].browse(ctx["active_ids"])
            for wizard in self:
                wizard.partner_ids = selected.commercial_partner_id
            return
        for wizard in self:
            if not wizard.date_from or not wizard.date_to:
                wizard.partner_ids = False
                continue
            # Archived contracts too: archiving ends a contract, and its
            # client still gets the statement of the months it ran.
            Contract = self.env["qlibra.contract"].with_context(active_test=False)
            contracts = Contract.search(
                Contract._qlibra_running_domain(wizard.date_from, wizard.date_to)
            )
            # The firm's own companies are no clients (internal contracts).
            own = self.env["res.company"].sudo().search([]).partner_id
            wizard.partner_ids = contracts.partner_id - own

    def _get_data(self):
        self.ensure_one()
        # Same checks as the reports: an ordered period of whole months.
        self.env["qlibra.report.period"]._get_period(
            {"date_from": self.date_from, "date_to": self.date_to}
        )
        # The clients travel in data too: for a report action with data, the
        # web client requests /report/pdf/<report>?options=<data> without
        # record ids.
        return {
            "date_from": fields.Date.to_string(self.date_from),
            "date_to": fields.Date.to_string(self.date_to),
            "partner_ids": self.partner_ids.ids,
        }

    def _check_report_access(self):
        if self.report == "profitability" and not self.env.user.has_group(
            MANAGER_GROUP
        ):
            raise AccessError(
                _(
                    "Only client profitability managers can print the "
                    "profitability report."
                )
            )

    def action_print(self):
        self.ensure_one()
        self._check_report_access()
        data = self._get_data()
        if self.report == "statement" and not self.partner_ids:
            raise UserError(_("Select at least one client."))
        report = self.env.ref(REPORTS[(self.report, self.file_format)])
        # config=False: the statement carries the firm's identity in its body,
        # so printing never stops at Odoo's document layout dialog.
        action = report.report_action(self.partner_ids, data=data, config=False)
        # The wizard closes once the download starts, as Odoo's own do.
        action["close_on_report_download"] = True
        return action

    def action_send(self):
        """Open the mail composer with the statement template, as Odoo's
        documents do (sale, account): for one client, its e-mail rendered
        with its statement PDF attached, to read and change before sending,
        posted in the client's chatter; for several, one e-mail per client
        (mass mode), each with its own statement, logged in its chatter."""
        self.ensure_one()
        data = self._get_data()
        if not self.partner_ids:
            raise UserError(_("Select at least one client."))
        if not self.mail_template_id:
            raise UserError(_("Choose the e-mail template to send."))
        missing = self.partner_ids.filtered(lambda p: not p.email)
        if missing:
            raise UserError(
                _(
                    "These clients have no e-mail address: %s",
                    ", ".join(missing.mapped("display_name")),
                )
            )
        if not self.env.user.has_group(ACCOUNTANT_GROUP):
            raise AccessError(_("Only accountants and managers can send statements."))
        single = len(self.partner_ids) == 1
        context = {
            "default_model": "res.partner",
            "default_res_ids": self.partner_ids.ids,
            "default_template_id": self.mail_template_id.id,
            "default_composition_mode": "comment" if single else "mass_mail",
            "default_email_layout_xmlid": "mail.mail_notification_light",
            # Read by the report and its file name when the template renders
            # the statement of each client (qlibra.report.period).
            "qlibra_date_from": data["date_from"],
            "qlibra_date_to": data["date_to"],
        }
        if single:
            # E-mail the client even if it follows the chatter otherwise.
            context["force_email"] = True
        return {
            "type": "ir.actions.act_window",
            "name": _("Send Statements"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }
