# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools.sql import create_index

# Sales' verdict, read from sale_timesheet's timesheet_invoice_type
# (TIMESHEET_INVOICE_TYPES in sale_timesheet/models/hr_timesheet.py).
# On a timesheet (a line with a project) Sales sets one of:
# - billable_time, billable_fixed, billable_milestones, billable_manual: the
#   time is billed (by the hour, inside a fixed price, by milestones, or
#   manually on a project billed manually);
# - timesheet_revenues: a timesheet on a sales order line of a service
#   invoiced on timesheets whose amount is positive. Its hours still count
#   as delivered on that sales order line (sale_timesheet's delivered
#   quantity reads every line with a project) and are invoiced: billed;
# - non_billable: the time is on no sales order line: not billed;
# - False: a sales order line whose product Sales does not bill through
#   timesheets (not a service, or an invoicing policy sale_timesheet does not
#   know): Sales gives no verdict, so there is nothing to disagree with.
# service_revenues, other_revenues and other_costs are set only on analytic
# lines without a project, which are not timesheets: never compared.
SALES_BILLED_TYPES = frozenset(
    {
        "billable_time",
        "billable_fixed",
        "billable_milestones",
        "billable_manual",
        "timesheet_revenues",
    }
)
SALES_NOT_BILLED_TYPES = frozenset({"non_billable"})


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
        "project_id",
        "timesheet_invoice_type",
        "qlibra_contract_id.contract_type",
    )
    def _compute_qlibra_billing_differs(self):
        """The one place that compares the two verdicts: qLibra bills the
        line when its contract's type is billable (qlibra_task's table of
        contract types); Sales bills it when its billing type is a billed one
        (see SALES_BILLED_TYPES above). Only timesheets with a Sales verdict
        are compared."""
        for line in self:
            invoice_type = line.timesheet_invoice_type
            if not line.project_id or (
                invoice_type not in SALES_BILLED_TYPES
                and invoice_type not in SALES_NOT_BILLED_TYPES
            ):
                line.qlibra_billing_differs = False
                continue
            billed_by_qlibra = line.qlibra_contract_id._qlibra_rule().billable
            billed_by_sales = invoice_type in SALES_BILLED_TYPES
            line.qlibra_billing_differs = billed_by_qlibra != billed_by_sales
