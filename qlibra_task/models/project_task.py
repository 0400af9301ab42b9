# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

MONEY_GROUP = "qlibra_task.group_qlibra_accountant"
MARGIN_GROUP = "qlibra_task.group_qlibra_manager"


class ProjectTask(models.Model):
    _inherit = "project.task"

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
        currency_field="currency_id",
        groups=MONEY_GROUP,
        tracking=True,
        help="Price of this job under a fixed-price contract, recognised as "
        "revenue on the day the task is done.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
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
        compute="_compute_qlibra_figures",
        currency_field="currency_id",
        groups=MARGIN_GROUP,
        help="Cost of the time logged on the task and its sub-tasks.",
    )
    qlibra_revenue = fields.Monetary(
        string="Revenue",
        compute="_compute_qlibra_figures",
        currency_field="currency_id",
        groups=MARGIN_GROUP,
    )
    qlibra_margin = fields.Monetary(
        string="Margin",
        compute="_compute_qlibra_figures",
        currency_field="currency_id",
        groups=MARGIN_GROUP,
    )
    qlibra_projected_margin = fields.Monetary(
        string="Projected Margin",
        compute="_compute_qlibra_figures",
        currency_field="currency_id",
        groups=MARGIN_GROUP,
        help="Fixed price minus the cost so far and the cost of the allocated "
        "hours still to do, at the average cost per hour so far.",
    )
    qlibra_price_consumed = fields.Float(
        string="Price Consumed (%)",
        compute="_compute_qlibra_figures",
        groups=MARGIN_GROUP,
        help="Cost so far as a share of the fixed price.",
    )
    qlibra_change_request_hours = fields.Float(
        string="Change-request Hours",
        compute="_compute_qlibra_figures",
        groups=MARGIN_GROUP,
    )
    qlibra_change_request_count = fields.Integer(
        string="Change Requests",
        compute="_compute_qlibra_figures",
        groups=MARGIN_GROUP,
        help="Timesheet entries marked as change requests.",
    )

    @api.depends("project_id.qlibra_contract_id")
    def _compute_qlibra_contract_id(self):
        for task in self:
            task.qlibra_contract_id = task.project_id.qlibra_contract_id

    @api.depends("state")
    def _compute_qlibra_date_done(self):
        today = fields.Date.context_today(self)
        for task in self:
            if task.state != "1_done":
                task.qlibra_date_done = False
            elif not task.qlibra_date_done:
                task.qlibra_date_done = today

    @api.constrains("qlibra_fixed_price", "qlibra_contract_id")
    def _check_qlibra_fixed_price(self):
        for task in self.sudo():
            if task.qlibra_fixed_price < 0:
                raise ValidationError(
                    _(
                        "The fixed price of task %s cannot be negative.",
                        task.display_name,
                    )
                )
            if (
                task.qlibra_fixed_price
                and task.qlibra_contract_id.contract_type != "fixed_price"
            ):
                raise ValidationError(
                    _(
                        "Task %(task)s has a fixed price, but its contract "
                        "%(contract)s is not a fixed-price contract.",
                        task=task.display_name,
                        contract=task.qlibra_contract_id.display_name or _("(none)"),
                    )
                )

    def _compute_qlibra_figures(self):
        """Figures of each task, its sub-tasks included, in two queries."""
        subtasks = {task: task._get_all_subtasks() for task in self if task.id}
        all_ids = set(self.ids).union(*(sub.ids for sub in subtasks.values()))
        Line = self.env["account.analytic.line"].sudo()
        rows = Line._read_group(
            [("task_id", "in", list(all_ids))],
            ["task_id", "qlibra_is_change_request"],
            ["unit_amount:sum", "qlibra_cost:sum", "amount:count"],
        )
        per_task = {}
        for task, is_cr, hours, cost, count in rows:
            figures = per_task.setdefault(task.id, [0.0, 0.0, 0.0, 0])
            figures[0] += hours
            figures[1] += cost
            if is_cr:
                figures[2] += hours
                figures[3] += count
        revenue_rows = (
            self.env["qlibra.profitability.report"]
            .sudo()
            ._read_group(
                [("task_id", "in", list(all_ids))], ["task_id"], ["revenue:sum"]
            )
        )
        revenue_per_task = {task.id: revenue for task, revenue in revenue_rows}
        for task in self:
            ids = [task.id, *subtasks.get(task, task.browse()).ids] if task.id else []
            hours = sum(per_task.get(i, [0.0])[0] for i in ids)
            cost = sum(per_task.get(i, [0, 0.0])[1] for i in ids)
            revenue = sum(revenue_per_task.get(i, 0.0) for i in ids)
            task.qlibra_cost = cost
            task.qlibra_revenue = revenue
            task.qlibra_margin = revenue - cost
            task.qlibra_change_request_hours = sum(
                per_task.get(i, [0, 0, 0.0])[2] for i in ids
            )
            task.qlibra_change_request_count = sum(
                per_task.get(i, [0, 0, 0, 0])[3] for i in ids
            )
            price = task.qlibra_fixed_price
            projected_cost = cost
            remaining = (task.allocated_hours or 0.0) - hours
            if remaining > 0 and hours:
                projected_cost += remaining * cost / hours
            task.qlibra_projected_margin = price - projected_cost if price else 0.0
            task.qlibra_price_consumed = cost / price * 100 if price else 0.0
