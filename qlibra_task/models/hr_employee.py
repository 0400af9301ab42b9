# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .groups import MANAGER_GROUP


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    qlibra_uncosted_hours = fields.Float(
        string="Hours Without Cost",
        compute="_compute_qlibra_uncosted_hours",
        search="_search_qlibra_uncosted_hours",
        groups=MANAGER_GROUP,
        help="Hours logged on client projects while the employee had no "
        "hourly cost: that time is counted as free.",
    )

    def _uncosted_domain(self):
        return [
            ("project_id", "!=", False),
            ("unit_amount", "!=", 0),
            ("amount", "=", 0),
        ]

    def _compute_qlibra_uncosted_hours(self):
        domain = [*self._uncosted_domain(), ("employee_id", "in", self.ids)]
        Line = self.env["account.analytic.line"].sudo()
        rows = Line._read_group(domain, ["employee_id"], ["unit_amount:sum"])
        hours = {employee.id: total for employee, total in rows}
        for employee in self:
            employee.qlibra_uncosted_hours = hours.get(employee.id, 0.0)

    def _search_qlibra_uncosted_hours(self, operator, value):
        if operator not in (">", "!=") or value not in (0, False):
            return [("id", "in", [])]
        Line = self.env["account.analytic.line"].sudo()
        rows = Line._read_group(self._uncosted_domain(), ["employee_id"], [])
        return [("id", "in", [employee.id for (employee,) in rows])]
