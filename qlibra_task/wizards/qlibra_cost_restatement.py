# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..models.groups import check_manager


class QlibraCostRestatement(models.TransientModel):
    """A manager's explicit restatement of the cost of past timesheet lines
    at today's rates: the only way history is re-costed (SPEC, Rules)."""

    _name = "qlibra.cost.restatement"
    _description = "Restate the Cost of Timesheet Lines"

    line_ids = fields.Many2many(
        "account.analytic.line",
        string="Timesheet Lines",
        domain=[("project_id", "!=", False)],
        required=True,
    )
    reason = fields.Char(
        required=True,
        help="Why the cost of these lines is restated; kept in the chatter.",
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id
    )
    line_count = fields.Integer(compute="_compute_preview")
    current_cost = fields.Monetary(string="Cost Now", compute="_compute_preview")
    restated_cost = fields.Monetary(
        string="Cost Restated",
        compute="_compute_preview",
        help="The lines' hours at each employee's hourly cost of today and "
        "their company's overhead rate of today.",
    )
    difference = fields.Monetary(compute="_compute_preview")

    @api.model
    def default_get(self, fields_list):
        self._check_manager()
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "line_ids" in fields_list
            and context.get("active_model") == "account.analytic.line"
        ):
            values["line_ids"] = [fields.Command.set(context.get("active_ids", []))]
        return values

    def _check_manager(self):
        msg = _("Only client profitability managers can restate costs.")
        check_manager(self.env, msg)

    def _restated(self, line):
        """(hourly cost, overhead rate) a line is restated at: today's."""
        return line.employee_id.hourly_cost, line.company_id.qlibra_overhead_rate

    @api.depends("line_ids")
    def _compute_preview(self):
        for wizard in self:
            # _origin: the lines as stored; in the form's onchange they are
            # new-record copies whose computed cost would be recomputed.
            lines = wizard.line_ids._origin.sudo().filtered("project_id")
            wizard.line_count = len(lines)
            wizard.current_cost = sum(lines.mapped("qlibra_cost"))
            wizard.restated_cost = sum(
                line._qlibra_cost_at(*wizard._restated(line)) for line in lines
            )
            wizard.difference = wizard.restated_cost - wizard.current_cost

    def action_apply(self):
        self.ensure_one()
        self._check_manager()
        lines = self.line_ids.sudo().filtered("project_id")
        if not lines:
            raise UserError(_("Choose the timesheet lines to restate."))
        before = {line: line.qlibra_cost for line in lines}
        for (hourly, overhead), group in lines.grouped(self._restated).items():
            group.write(
                {"qlibra_hourly_cost": hourly, "qlibra_overhead_rate": overhead}
            )
        lines.flush_recordset()
        self._log(lines, before)
        return {"type": "ir.actions.act_window_close"}

    def _log(self, lines, before):
        """Record the restatement in the chatter of each contract (managers)
        and each employee (HR), with the reason and the amounts."""
        for target in ("qlibra_contract_id", "employee_id"):
            for record in lines.mapped(target):
                own = lines.filtered(lambda line, r=record, t=target: line[t] == r)
                old = sum(before[line] for line in own)
                new = sum(own.mapped("qlibra_cost"))
                currency = own[:1].company_id.currency_id
                body = _(
                    "Cost of %(count)s timesheet line(s) restated at today's "
                    "rates by %(user)s: %(old)s became %(new)s. Reason: "
                    "%(reason)s",
                    count=len(own),
                    user=self.env.user.name,
                    old=format_amount(self.env, old, currency),
                    new=format_amount(self.env, new, currency),
                    reason=self.reason,
                )
                record.sudo().message_post(
                    body=Markup("<p>%s</p>") % body, subtype_xmlid="mail.mt_note"
                )
