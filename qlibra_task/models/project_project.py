# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import nullcontext

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

# What a client profitability manager may write on a project.
QLIBRA_FIELDS = ("qlibra_contract_id",)


class ProjectProject(models.Model):
    _name = "project.project"
    _inherit = ["project.project", "qlibra.revenue.guard"]

    qlibra_contract_id = fields.Many2one(
        "qlibra.contract",
        string="Client Contract",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('partner_id', '=?', commercial_partner_id)]",
        help="Time logged on this project counts for this contract, unless a "
        "task names another one.",
    )
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")
    qlibra_contract_type = fields.Selection(related="qlibra_contract_id.contract_type")

    def write(self, vals):
        before = {}
        if not self._qlibra_may_move_revenue():
            self._qlibra_check_revenue_fields(vals, QLIBRA_FIELDS)
            before = "partner_id" in vals and self._qlibra_line_contracts()
        # Another client may move time and revenue between contracts: a
        # manager's act (SPEC, Lifecycle); checked after the write, undone.
        with self.env.cr.savepoint() if before else nullcontext():
            moved = "qlibra_contract_id" in vals
            contracts = self.sudo().qlibra_contract_id if moved else None
            if (
                vals
                and set(vals) <= set(QLIBRA_FIELDS)
                and not self.env.su
                and not self.has_access("write")
                and self._qlibra_may_move_revenue()
            ):
                # A manager ties readable projects to readable contracts
                # without Project rights (SPEC, Access): the qLibra fields only.
                self.check_access("read")
                self.env["qlibra.contract"].browse(
                    vals.get("qlibra_contract_id") or []
                ).check_access("read")
                res = super(ProjectProject, self.sudo()).write(vals)
            else:
                res = super().write(vals)
            if moved:
                # A contract that gains or loses projects stops or starts
                # covering the client's other projects: their lines follow.
                contracts |= self.sudo().qlibra_contract_id
                contracts._recompute_timesheet_contracts()
            if before and before != self._qlibra_line_contracts():
                raise AccessError(
                    _(
                        "Another client for project %s would move its time to "
                        "or from a client contract: ask a client profitability "
                        "manager to change its client.",
                        self[:1].display_name,
                    )
                )
        return res

    def _qlibra_line_contracts(self):
        """Each timesheet line of the projects and its contract."""
        # one query: search_fetch flushes the contracts the write recomputes
        Line = self.env["account.analytic.line"].sudo()
        lines = Line.search_fetch(
            [("project_id", "in", self.ids)], ["qlibra_contract_id"]
        )
        return {line.id: line.qlibra_contract_id.id for line in lines}

    @api.onchange("qlibra_contract_id")
    def _onchange_qlibra_contract_id(self):
        if self.qlibra_contract_id and not self.partner_id:
            self.partner_id = self.qlibra_contract_id.partner_id
