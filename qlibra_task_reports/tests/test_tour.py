# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.base.models.ir_actions_report import IrActionsReport

STATEMENT = "qlibra_task_reports.report_client_statement"


@tagged("post_install", "-at_install")
class TestProfitabilityTour(HttpCase):
    """A manager finds the client that loses the most and prints its statement.

    Musala Tour Ltd has run a subscription for four months: fee 100 a month,
    5 hours included, extra hours absorbed. Last month an employee costing
    1000 an hour logged 40 hours on it: a cost of 40,000 (plus the company's
    overhead) against 100 of revenue, a loss far beyond any demo client's; an
    intern without an hourly cost logged 2 hours.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # The statement is downloaded through the test HTTP server. Under
        # --test-enable Odoo renders it as HTML, but should wkhtmltopdf run, a
        # closed port keeps it from waiting for the CSS on this server, which
        # is blocked by the test transaction (see tests/common.py).
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )
        cls.manager = new_test_user(
            cls.env,
            login="qlibra_tour_manager",
            groups="base.group_user,base.group_partner_manager,"
            "qlibra_task.group_qlibra_manager",
            name="Tanya Tour Manager",
        )
        month = fields.Date.context_today(cls.manager).replace(day=1)
        cls.last_month = month - relativedelta(months=1)
        cls.client = cls.env["res.partner"].create(
            {"name": "Musala Tour Ltd", "is_company": True}
        )
        cls.contract = cls.env["qlibra.contract"].create(
            {
                "name": "Musala Tour - Bookkeeping",
                "partner_id": cls.client.id,
                "contract_type": "subscription",
                "date_start": month - relativedelta(months=3),
                "monthly_fee": 100.0,
                "included_hours": 5.0,
                "overage_rate": 0.0,
                "target_margin": 30.0,
                "user_id": cls.manager.id,
            }
        )
        project = cls.env["project.project"].create(
            {
                "name": "Musala Tour Bookkeeping",
                "partner_id": cls.client.id,
                "allow_timesheets": True,
                "qlibra_contract_id": cls.contract.id,
            }
        )
        task = cls.env["project.task"].create(
            {"name": "Monthly closing", "project_id": project.id}
        )
        employee = cls.env["hr.employee"].create(
            {"name": "Yana Expensive", "hourly_cost": 1000.0}
        )
        # An intern without an hourly cost: the contract shows that time.
        intern = cls.env["hr.employee"].create({"name": "Ivo Unpriced"})
        cls.env["account.analytic.line"].create(
            [
                {
                    "name": f"Closing work {day}",
                    "project_id": project.id,
                    "task_id": task.id,
                    "employee_id": employee.id,
                    "date": cls.last_month + relativedelta(days=day),
                    "unit_amount": 8.0,
                }
                for day in range(5)
            ]
            + [
                # This month: 8 of the 5 included hours, shown in red.
                {
                    "name": "Closing this month",
                    "project_id": project.id,
                    "task_id": task.id,
                    "employee_id": employee.id,
                    "date": month,
                    "unit_amount": 8.0,
                },
                {
                    "name": "Filing",
                    "project_id": project.id,
                    "task_id": task.id,
                    "employee_id": intern.id,
                    "date": cls.last_month,
                    "unit_amount": 2.0,
                },
            ]
        )

        # Another client with time last month: never on Musala's statement.
        other = cls.env["res.partner"].create(
            {"name": "Rhodope Other Ltd", "is_company": True}
        )
        other_project = cls.env["project.project"].create(
            {
                "name": "Rhodope Payroll",
                "partner_id": other.id,
                "allow_timesheets": True,
            }
        )
        cls.env["account.analytic.line"].create(
            {
                "name": "Rhodope payroll",
                "project_id": other_project.id,
                "employee_id": intern.id,
                "date": cls.last_month,
                "unit_amount": 1.0,
            }
        )

    def test_manager_prints_statement_of_worst_client(self):
        # The fixture is what the tour expects: the lowest margin of the
        # analysis (its default filter: the last 6 months), a client to
        # renegotiate.
        Report = self.env["qlibra.profitability.report"]
        margins = Report._read_group(
            [("date", ">=", self.last_month - relativedelta(months=5))],
            ["partner_id"],
            ["margin:sum"],
        )
        worst, worst_margin = min(margins, key=lambda group: group[1])
        self.assertEqual(worst, self.client)
        self.assertLess(worst_margin, -40000)
        self.assertTrue(self.client.with_user(self.manager).qlibra_to_renegotiate)

        rendered = []
        render_qweb_pdf = IrActionsReport._render_qweb_pdf

        def spy(report, report_ref, res_ids=None, data=None):
            rendered.append((report_ref, res_ids, data))
            return render_qweb_pdf(report, report_ref, res_ids=res_ids, data=data)

        self.patch(IrActionsReport, "_render_qweb_pdf", spy)
        self.start_tour("/odoo", "qlibra_profitability_tour", login=self.manager.login)

        wizard = self.env["qlibra.statement.wizard"].search(
            [("create_uid", "=", self.manager.id)]
        )
        self.assertEqual(wizard.partner_ids, self.client)
        self.assertEqual(wizard.date_from, self.last_month)
        self.assertEqual(
            wizard.date_to, self.last_month + relativedelta(months=1, days=-1)
        )
        # The download, then the tour's own read of the same URL (it checks
        # the statement holds the client's lines and no other client's).
        self.assertEqual(len(rendered), 2, "The tour printed the statement")
        for report_ref, _res_ids, data in rendered:
            self.assertIn(STATEMENT, report_ref)
            self.assertEqual(data["date_from"], fields.Date.to_string(self.last_month))
            self.assertEqual(data["partner_ids"], [self.client.id])
