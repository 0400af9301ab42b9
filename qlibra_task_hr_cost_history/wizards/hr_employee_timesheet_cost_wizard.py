# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import _, models

from odoo.addons.qlibra_task.models.groups import MANAGER_GROUP


class HrEmployeeTimesheetCostWizard(models.TransientModel):
    _inherit = "hr.employee.timesheet.cost.wizard"

    def _recompute_timesheets(self):
        """qLibra's frozen cost changes only through a manager's restatement
        (SPEC, Rules: cost); Odoo's own amounts follow as before."""
        res = super()._recompute_timesheets()
        domain = [*self._get_timesheet_domain(), ("project_id", "!=", False)]
        lines = self.env["account.analytic.line"].sudo().search(domain)
        cost = self.employee_id.hourly_cost
        lines = lines.filtered(lambda line: line.qlibra_hourly_cost != cost)
        if not lines:
            return res
        if self.env.user.has_group(MANAGER_GROUP):
            reason = _(
                "hourly cost of %(employee)s changed from %(date)s",
                employee=self.employee_id.name,
                date=self.starting_date,
            )
            reason += f" ({self.comment})" if self.comment else ""
            restatement = {"line_ids": [(6, 0, lines.ids)], "reason": reason}
            self.env["qlibra.cost.restatement"].create(restatement).action_apply()
        else:
            # Say where HR and managers see it that the cost stays as logged.
            body = _(
                "The qLibra cost of %(count)s timesheet line(s) from "
                "%(date)s was kept at the rates they were logged at: only "
                "a client profitability manager can restate it.",
                count=len(lines),
                date=self.starting_date,
            )
            self.employee_id.sudo().message_post(
                body=Markup("<p>%s</p>") % body, subtype_xmlid="mail.mt_note"
            )
        return res
