# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools.sql import create_index

# sale_timesheet's timesheet_invoice_type of a timesheet that Sales bills
# (timesheet_revenues: on a service invoiced on timesheets, delivered too) or
# not; any other (False: a product Sales does not bill through timesheets;
# *_revenues/other_costs: lines without a project) gives no verdict.
SALES_BILLED_TYPES = {"billable_time", "billable_fixed", "billable_milestones"}
SALES_BILLED_TYPES |= {"billable_manual", "timesheet_revenues"}


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    qlibra_billing_differs = fields.Boolean(
        string="Billing Differs From Sales",
        compute="_compute_qlibra_billing_differs",
        store=True,
        help="qLibra's contract and Sales' billing type disagree on whether "
        "this time is billed: for example an hourly contract on a project "
        "Sales does not bill, or a non-billable contract (or no contract) on "
        "time Sales bills through a sales order. qLibra's figures count the "
        "line by the contract's rules.",
    )

    def init(self):
        res = super().init()
        # The filter looks for the few lines that disagree among all of them.
        create_index(
            self.env.cr,
            "account_analytic_line_qlibra_billing_differs_index",
            self._table,
            ["date"],
            where="qlibra_billing_differs",
        )
        return res

    @api.depends(
        "project_id", "timesheet_invoice_type", "qlibra_contract_id.contract_type"
    )
    def _compute_qlibra_billing_differs(self):
        """Timesheets with a Sales verdict that the contract's rule contradicts."""
        for line in self:
            sales_type = line.timesheet_invoice_type
            billed_by_sales = sales_type in SALES_BILLED_TYPES
            line.qlibra_billing_differs = (
                bool(line.project_id)
                and (billed_by_sales or sales_type == "non_billable")
                and line.qlibra_contract_id._qlibra_rule().billable != billed_by_sales
            )
