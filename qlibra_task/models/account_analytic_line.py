# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models

from .qlibra_today import today as qlibra_today

MONEY_GROUP = "qlibra_task.group_qlibra_accountant"
MARGIN_GROUP = "qlibra_task.group_qlibra_manager"


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    qlibra_contract_id = fields.Many2one(
        "qlibra.contract",
        string="Client Contract",
        compute="_compute_qlibra_contract_id",
        store=True,
        index="btree_not_null",
        help="The task's contract, else the project's, else the client's only "
        "contract valid on the line's date. Empty: time no contract covers.",
    )
    qlibra_partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        compute="_compute_qlibra_contract_id",
        store=True,
        index="btree_not_null",
        help="The contract's client, else the commercial partner of the line.",
    )
    qlibra_contract_type = fields.Selection(
        related="qlibra_contract_id.contract_type",
        store=True,
        string="Contract Type",
    )
    qlibra_is_change_request = fields.Boolean(
        string="Change Request",
        compute="_compute_qlibra_is_change_request",
        inverse="_inverse_qlibra_is_change_request",
        store=True,
        readonly=False,
        help="Work the client asked for on top of the agreed scope: the line "
        "is marked itself, or its task is a change request.",
    )
    qlibra_own_change_request = fields.Boolean(
        string="Marked as Change Request",
        default=False,
        help="The mark set on this line itself; it stays when the task's own "
        "change-request flag is set and removed again.",
    )
    qlibra_hourly_cost = fields.Float(
        string="Hourly Cost",
        compute="_compute_qlibra_hourly_cost",
        store=True,
        precompute=True,
        groups=MARGIN_GROUP,
        digits="Product Price",
        help="The employee's hourly cost when the line was logged (or when its "
        "employee was corrected); a later change of the employee's cost does "
        "not rewrite it.",
    )
    qlibra_overhead_rate = fields.Float(
        string="Overhead Rate (%)",
        compute="_compute_qlibra_overhead_rate",
        store=True,
        precompute=True,
        groups=MARGIN_GROUP,
        help="The company's overhead rate when the line was logged.",
    )
    qlibra_cost = fields.Monetary(
        string="Full Cost",
        compute="_compute_qlibra_cost",
        store=True,
        groups=MARGIN_GROUP,
        help="Hours x the employee's hourly cost x (1 + overhead rate), as "
        "they were when the line was logged.",
    )
    qlibra_revenue = fields.Monetary(
        string="Hourly Revenue",
        compute="_compute_qlibra_revenue",
        store=True,
        groups=MONEY_GROUP,
        help="Hours x the hourly rate of an hourly contract. Other revenue "
        "(monthly fees, overage, fixed prices) belongs to the contract or the "
        "task, not to a line: see the profitability analysis.",
    )

    @api.depends(
        "project_id",
        "date",
        "partner_id",
        "task_id.qlibra_contract_id",
        "project_id.qlibra_contract_id",
    )
    def _compute_qlibra_contract_id(self):
        timesheets = self.filtered("project_id")
        (self - timesheets).qlibra_contract_id = False
        (self - timesheets).qlibra_partner_id = False
        if not timesheets:
            return
        clients = timesheets.partner_id.commercial_partner_id
        by_client = defaultdict(lambda: self.env["qlibra.contract"])
        # Archived contracts included: archiving must not rewrite history.
        for contract in (
            self.env["qlibra.contract"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", clients.ids)])
        ):
            by_client[contract.partner_id] |= contract
        for line in timesheets:
            line_date = line.date or qlibra_today(line)
            client = line.partner_id.commercial_partner_id
            contract = line.task_id.sudo().qlibra_contract_id._valid_on(line_date)
            if not contract:
                contract = line.project_id.sudo().qlibra_contract_id._valid_on(
                    line_date
                )
            if not contract:
                valid = by_client[client].filtered(
                    lambda c, d=line_date, co=line.company_id: (
                        c.company_id == co and c._is_valid_on(d)
                    )
                )
                if len(valid) == 1:
                    contract = valid
            line.qlibra_contract_id = contract
            line.qlibra_partner_id = contract.partner_id or client

    def _qlibra_recompute_contract(self):
        """Re-resolve the lines' contract and everything derived from it (type,
        revenue, the analysis): marking only the contract stale would leave
        its dependants as they were."""
        if not self:
            return
        for fname in ("qlibra_contract_id", "qlibra_partner_id"):
            self.env.add_to_compute(self._fields[fname], self)
        self.modified(["qlibra_contract_id", "qlibra_partner_id"])

    @api.depends("task_id.qlibra_is_change_request", "qlibra_own_change_request")
    def _compute_qlibra_is_change_request(self):
        for line in self:
            line.qlibra_is_change_request = (
                line.task_id.qlibra_is_change_request or line.qlibra_own_change_request
            )

    def _inverse_qlibra_is_change_request(self):
        for line in self:
            line.qlibra_own_change_request = line.qlibra_is_change_request

    @api.depends("employee_id")
    def _compute_qlibra_hourly_cost(self):
        # Deliberately not depending on the employee's cost: a later change of
        # it must not rewrite the cost of time already logged. Changing the
        # line's employee is a correction and takes that employee's cost.
        for line in self:
            line.qlibra_hourly_cost = line.employee_id.hourly_cost

    @api.depends("company_id")
    def _compute_qlibra_overhead_rate(self):
        # Deliberately not depending on the company's rate: a later change of
        # it must not rewrite the cost of time already logged.
        for line in self:
            line.qlibra_overhead_rate = line.company_id.qlibra_overhead_rate

    @api.depends(
        "unit_amount",
        "qlibra_contract_id.contract_type",
        "qlibra_contract_id.hourly_rate",
    )
    def _compute_qlibra_revenue(self):
        # Stored so that the analysis reads one table, as Odoo's own does.
        for line in self:
            contract = line.qlibra_contract_id
            if contract.contract_type == "hourly":
                line.qlibra_revenue = line.unit_amount * contract.hourly_rate
            else:
                line.qlibra_revenue = 0.0

    @api.depends(
        "unit_amount", "qlibra_hourly_cost", "qlibra_overhead_rate", "project_id"
    )
    def _compute_qlibra_cost(self):
        # Not Odoo's amount: hr_timesheet recomputes it at the employee's
        # current cost when the hours or the project change.
        for line in self:
            line.qlibra_cost = line._qlibra_cost_at(
                line.qlibra_hourly_cost, line.qlibra_overhead_rate
            )

    def _qlibra_cost_at(self, hourly_cost, overhead_rate):
        """The one cost rule: hours x hourly cost x (1 + overhead rate), in
        the company's currency; no cost for time outside projects."""
        self.ensure_one()
        if not self.project_id:
            return 0.0
        return self.company_id.currency_id.round(
            self.unit_amount * hourly_cost * (1 + overhead_rate / 100)
        )
