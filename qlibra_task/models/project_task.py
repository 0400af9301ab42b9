# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .contract_type import types_with
from .figures import ratio
from .groups import ACCOUNTANT_GROUP, FIGURE
from .qlibra_today import today as qlibra_today

FIGURES = ("hours", "cost", "revenue", "change_request_hours", "change_request_count")


class ProjectTask(models.Model):
    _name = "project.task"
    _inherit = ["project.task", "qlibra.revenue.guard"]

    qlibra_contract_id = fields.Many2one(
        "qlibra.contract",
        string="Client Contract",
        compute="_compute_qlibra_contract_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        check_company=True,
        tracking=True,
        help="Defaults to the project's contract.",
    )
    qlibra_contract_type = fields.Selection(related="qlibra_contract_id.contract_type")
    qlibra_fixed_price = fields.Monetary(
        string="Fixed Price",
        currency_field="qlibra_price_currency_id",
        groups=ACCOUNTANT_GROUP,
        tracking=True,
        help="Price of this job under a fixed-price contract, recognised as "
        "revenue on the day the task is done.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        help="The task's company currency; a task without company shows its "
        "amounts in the current company's.",
    )
    qlibra_price_currency_id = fields.Many2one(
        "res.currency",
        string="Price Currency",
        compute="_compute_qlibra_price_currency_id",
        help="The contract's currency, in which the fixed price is billed.",
    )
    qlibra_is_change_request = fields.Boolean(
        string="Change Request",
        tracking=True,
        help="Work the client asked for on top of the agreed scope. Its time "
        "is marked as change-request time.",
    )
    qlibra_date_done = fields.Date(
        string="Done On",
        compute="_compute_qlibra_date_done",
        store=True,
        readonly=False,
        copy=False,
        help="Day the task was done: a fixed price is recognised as revenue "
        "on that day.",
    )
    qlibra_cost = fields.Monetary(
        string="Cost So Far",
        **FIGURE,
        help="Cost of the time logged on the task and its sub-tasks.",
    )
    qlibra_revenue = fields.Monetary(string="Revenue", **FIGURE)
    qlibra_margin = fields.Monetary(string="Margin", **FIGURE)
    qlibra_projected_margin = fields.Monetary(
        string="Projected Margin",
        **FIGURE,
        help="Fixed price minus the cost so far and the cost of the allocated "
        "hours still to do, at the average cost per hour so far.",
    )
    qlibra_price_consumed = fields.Float(
        string="Price Consumed (%)",
        **FIGURE,
        help="Cost so far as a share of the fixed price.",
    )
    qlibra_change_request_hours = fields.Float(string="Change-request Hours", **FIGURE)
    qlibra_change_request_count = fields.Integer(
        string="Change Requests",
        **FIGURE,
        help="Timesheet entries marked as change requests.",
    )

    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        default = self.env.company.currency_id
        for task in self:
            task.currency_id = task.company_id.currency_id or default

    @api.depends("qlibra_contract_id.currency_id", "currency_id")
    def _compute_qlibra_price_currency_id(self):
        for task in self:
            contract_currency = task.qlibra_contract_id.sudo().currency_id
            task.qlibra_price_currency_id = contract_currency or task.currency_id

    @api.depends("project_id.qlibra_contract_id")
    def _compute_qlibra_contract_id(self):
        for task in self:
            origin = task._origin.sudo()
            # A job delivered under a fixed-price contract stays with it: its
            # price, currency and month (SPEC, Rules).
            if (
                origin.qlibra_date_done
                and origin.qlibra_fixed_price
                and origin.qlibra_contract_id._qlibra_rule().fixed_price
            ):
                task.qlibra_contract_id = task._origin.qlibra_contract_id
            else:
                task.qlibra_contract_id = task.project_id.qlibra_contract_id

    @api.depends("state")
    def _compute_qlibra_date_done(self):
        # Recognition is final: reopened and done again, the day stays
        # (SPEC: reopening adds cost, never moves or removes revenue).
        today = qlibra_today(self)
        for task in self:
            if task.state == "1_done" and not task.qlibra_date_done:
                task.qlibra_date_done = today

    @api.model
    def _qlibra_recognised_domain(self, date_from, date_to):
        """Fixed prices done in the period (reopened ones stay); the analysis
        view's SQL twin is _query_fixed_price."""
        return [
            ("qlibra_contract_id.contract_type", "in", types_with("fixed_price")),
            ("qlibra_date_done", ">=", date_from),
            ("qlibra_date_done", "<=", date_to),
            ("qlibra_fixed_price", ">", 0),
        ]

    @api.model_create_multi
    def create(self, vals_list):
        if not self._qlibra_may_move_revenue():
            for vals in vals_list:
                project = self.env["project.project"].browse(vals.get("project_id"))
                contract = vals.get("qlibra_contract_id")
                own = contract not in (None, False, project.qlibra_contract_id.id)
                revenue = vals.get("qlibra_fixed_price") or vals.get("qlibra_date_done")
                if own or revenue:
                    self._qlibra_raise_revenue_access()
        tasks = super().create(vals_list)
        # The done day is the day of the user who marks the task done: compute
        # it now, in that user's environment, not at a later flush.
        tasks.flush_recordset(["qlibra_date_done"])
        return tasks

    def write(self, vals):
        if not self._qlibra_may_move_revenue():
            self._qlibra_check_revenue_fields(
                vals, ("qlibra_contract_id", "qlibra_fixed_price", "qlibra_date_done")
            )
            # Not a record id: Odoo's own checks refuse it (a portal user's
            # write is checked field by field).
            if isinstance(vals.get("project_id"), int):
                self._qlibra_check_move(vals["project_id"])
        res = super().write(vals)
        if "state" in vals:
            self.flush_recordset(["qlibra_date_done"])  # see create()
        return res

    def _qlibra_check_move(self, project_id):
        """Moving a task with contract time or a price to a project of another
        contract or client moves revenue: a manager's act (SPEC, Lifecycle)."""
        project = self.env["project.project"].browse(project_id).sudo()
        for task in self.sudo():
            old = task.project_id
            if not old or old == project:
                continue
            terms = {
                (p.qlibra_contract_id, p.commercial_partner_id) for p in old | project
            }
            if len(terms) == 1:
                continue
            Line = self.env["account.analytic.line"].sudo()
            domain = [("task_id", "=", task.id), ("qlibra_contract_id", "!=", False)]
            if task.qlibra_fixed_price or Line.search_count(domain, limit=1):
                raise AccessError(
                    _(
                        "Moving task %(task)s to project %(project)s would move "
                        "its time and revenue to another contract or client. Ask "
                        "a client profitability manager to move it.",
                        task=task.display_name,
                        project=project.display_name,
                    )
                )

    @api.constrains("qlibra_fixed_price", "qlibra_contract_id")
    def _check_qlibra_fixed_price(self):
        for task in self.sudo():
            if task.qlibra_fixed_price < 0:
                msg = _(
                    "The fixed price of task %s cannot be negative.", task.display_name
                )
                raise ValidationError(msg)
            contract = task.qlibra_contract_id
            if task.qlibra_fixed_price and not contract._qlibra_rule().fixed_price:
                raise ValidationError(
                    _(
                        "Task %(task)s has a fixed price, but its contract "
                        "%(contract)s is not a fixed-price contract.",
                        task=task.display_name,
                        contract=contract.display_name or _("(none)"),
                    )
                )

    def _compute_qlibra_figures(self):
        """Figures of each task, its sub-tasks (at every level) included, in
        three queries; a task being created has none yet."""
        saved = self._origin.filtered("id")
        subtask_ids = saved._get_subtask_ids_per_task_id()
        family = {
            task: [task._origin.id, *subtask_ids.get(task._origin.id, [])]
            if task._origin
            else []
            for task in self
        }
        domain = [("task_id", "in", list({i for ids in family.values() for i in ids}))]
        Line = self.env["account.analytic.line"].sudo()
        time_rows = Line._read_group(
            domain,
            ["task_id", "qlibra_is_change_request"],
            ["unit_amount:sum", "qlibra_cost:sum", "__count"],
        )
        per_task = defaultdict(lambda: dict.fromkeys(FIGURES, 0.0))
        for task, is_change_request, hours, cost, count in time_rows:
            figures = per_task[task.id]
            figures["hours"] += hours
            figures["cost"] += cost
            if is_change_request:
                figures["change_request_hours"] += hours
                figures["change_request_count"] += count
        Report = self.env["qlibra.profitability.report"].sudo()
        for task, revenue in Report._read_group(domain, ["task_id"], ["revenue:sum"]):
            per_task[task.id]["revenue"] += revenue
        for task in self:
            total = {
                key: sum(per_task[task_id][key] for task_id in family[task])
                for key in FIGURES
            }
            price = task._qlibra_company_price()
            # The allocated hours still to do, at the average cost so far.
            remaining = (task.allocated_hours or 0.0) - total["hours"]
            projected_cost = total["cost"]
            if remaining > 0 and total["hours"]:
                projected_cost += remaining * total["cost"] / total["hours"]
            task.qlibra_cost = total["cost"]
            task.qlibra_revenue = total["revenue"]
            task.qlibra_margin = total["revenue"] - total["cost"]
            task.qlibra_change_request_hours = total["change_request_hours"]
            task.qlibra_change_request_count = int(total["change_request_count"])
            task.qlibra_projected_margin = price - projected_cost if price else 0.0
            task.qlibra_price_consumed = ratio(total["cost"], price) or 0.0

    def _qlibra_company_price(self):
        """The fixed price in the company's currency as the analysis converts
        it (_qlibra_to_company_currency), on the done day, else today."""
        self.ensure_one()
        contract = self.qlibra_contract_id.sudo()
        if not contract:
            return self.qlibra_fixed_price
        return contract._qlibra_to_company_currency(
            self.sudo().qlibra_fixed_price, self.qlibra_date_done or qlibra_today(self)
        )
