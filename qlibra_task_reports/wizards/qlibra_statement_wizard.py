# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.qlibra_task.models.groups import ACCOUNTANT_GROUP
from odoo.addons.qlibra_task.models.qlibra_today import today as qlibra_today

# period: (label, months in the unit, units back)
PERIODS = {
    "this_month": ("This Month", 1, 0),
    "last_month": ("Last Month", 1, 1),
    "this_quarter": ("This Quarter", 3, 0),
    "last_quarter": ("Last Quarter", 3, 1),
    "this_year": ("This Year", 12, 0),
    "last_year": ("Last Year", 12, 1),
}
PERIOD_TYPES = [(key, label) for key, (label, *__) in PERIODS.items()]
PERIOD_TYPES += [("custom", "Custom")]
REPORT_TYPES = [
    ("statement", "Client Statement"),
    ("profitability", "Profitability Report"),
]
FORMATS = [("pdf", "PDF"), ("xlsx", "Excel (XLSX)")]
COMPUTED = dict(compute="_compute_dates", store=True, readonly=False, required=True)
REPORTS = {
    ("statement", "pdf"): "qlibra_task_reports.action_report_client_statement",
    ("statement", "xlsx"): "qlibra_task_reports.action_report_client_statement_xlsx",
    ("profitability", "pdf"): "qlibra_task_reports.action_report_profitability",
    ("profitability", "xlsx"): "qlibra_task_reports.action_report_profitability_xlsx",
}


class QlibraStatementWizard(models.TransientModel):
    """Builds the reports' ``data`` and picks the report action."""

    _name = "qlibra.statement.wizard"
    _description = "Print or Send Client Statements"

    period = fields.Selection(PERIOD_TYPES, required=True, default="last_month")
    date_from = fields.Date(
        string="From",
        default=lambda self: self.env["qlibra.report.period"]._previous_month()[0],
        **COMPUTED,
    )
    date_to = fields.Date(
        string="To",
        default=lambda self: self.env["qlibra.report.period"]._previous_month()[1],
        **COMPUTED,
    )
    report = fields.Selection(REPORT_TYPES, required=True, default="statement")
    file_format = fields.Selection(
        FORMATS, string="Format", required=True, default="pdf"
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

    @api.depends("period")
    def _compute_dates(self):
        month = qlibra_today(self).replace(day=1)
        for wizard in self:
            if wizard.period in PERIODS:
                _label, length, back = PERIODS[wizard.period]
                start = month.replace(month=(month.month - 1) // length * length + 1)
                start -= relativedelta(months=length * back)
                wizard.date_from = start
                wizard.date_to = start + relativedelta(months=length, days=-1)
            elif not wizard.date_from or not wizard.date_to:
                previous = self.env["qlibra.report.period"]._previous_month()
                wizard.date_from, wizard.date_to = previous

    @api.depends("date_from", "date_to")
    def _compute_partner_ids(self):
        ctx = self.env.context
        if ctx.get("active_model") == "res.partner" and ctx.get("active_ids"):
            selected = self.env["res.partner"].browse(ctx["active_ids"])
            self.partner_ids = selected.commercial_partner_id
            return
        for wizard in self:
            if not wizard.date_from or not wizard.date_to:
                wizard.partner_ids = False
                continue
            # Archived contracts too: their clients get the months they ran;
            # the firm's own companies are no clients (internal contracts).
            Contract = self.env["qlibra.contract"].with_context(active_test=False)
            domain = Contract._qlibra_running_domain(wizard.date_from, wizard.date_to)
            own = self.env["res.company"].sudo().search([]).partner_id
            wizard.partner_ids = Contract.search(domain).partner_id - own

    def _get_data(self):
        self.ensure_one()
        # The reports' checks; data carries the clients (the web client prints no ids).
        dates = {"date_from": self.date_from, "date_to": self.date_to}
        self.env["qlibra.report.period"]._get_period(dates)
        data = {key: fields.Date.to_string(day) for key, day in dates.items()}
        return {**data, "partner_ids": self.partner_ids.ids}

    def action_print(self):
        self.ensure_one()
        if self.report == "profitability":
            self.env["report.qlibra_task_reports.report_profitability"]._check_access()
        data = self._get_data()
        if self.report == "statement" and not self.partner_ids:
            raise UserError(_("Select at least one client."))
        return self.env["qlibra.report.period"]._print_action(
            REPORTS[(self.report, self.file_format)], self.partner_ids, data
        )

    def action_send(self):
        """One client: its e-mail to read before sending; several: one e-mail
        each (mass mode); each in the client's chatter."""
        self.ensure_one()
        data = self._get_data()
        if not self.partner_ids:
            raise UserError(_("Select at least one client."))
        if not self.mail_template_id:
            raise UserError(_("Choose the e-mail template to send."))
        if missing := self.partner_ids.filtered(lambda p: not p.email):
            names = ", ".join(missing.mapped("display_name"))
            raise UserError(_("These clients have no e-mail address: %s", names))
        message = _("Only accountants and managers can send statements.")
        self.env["qlibra.report.period"]._check_group(ACCOUNTANT_GROUP, message)
        single = len(self.partner_ids) == 1
        return self.env["qlibra.report.period"]._composer_action(
            _("Send Statements"),
            self.partner_ids,
            self.mail_template_id,
            {
                "default_composition_mode": "comment" if single else "mass_mail",
                # E-mail one client even if it follows the chatter otherwise.
                "force_email": single,
                # Read by the report when the template renders it.
                "qlibra_date_from": data["date_from"],
                "qlibra_date_to": data["date_to"],
            },
        )
