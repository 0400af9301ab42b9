# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from odoo.addons.base.models.ir_actions_report import IrActionsReport
from odoo.addons.qlibra_task.tests.common import QlibraHttpCase
from odoo.addons.qlibra_task_reports.models import ir_actions_report
from odoo.addons.report_xlsx.models.ir_report import ReportAction

try:
    import openpyxl
except ImportError:  # pragma: no cover - test requirement
    openpyxl = None

STATEMENT = "qlibra_task_reports.report_client_statement"


@tagged("post_install", "-at_install")
class TestProfitabilityTour(QlibraHttpCase):
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
        month = cls._today_of(cls.manager).replace(day=1)
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


@tagged("post_install", "-at_install")
class TestAccountantStatementTour(QlibraHttpCase):
    """An accountant, not an administrator, prints a client's statement of
    last month from the Statements menu, then from the client's form (the
    Excel statement from its Statement button, the PDF from its Print menu).

    Vitosha Tour Ltd: hourly at 100; last month 3 h + 2.5 h = 5.5 h, 550.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # See TestProfitabilityTour: wkhtmltopdf must not wait for this server.
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )
        cls.env.company.write({"street": "12 Vitosha Blvd", "vat": "BG999999999"})
        cls.accountant = new_test_user(
            cls.env,
            login="qlibra_tour_accountant",
            groups="base.group_user,qlibra_task.group_qlibra_accountant",
            name="Ana Tour Accountant",
        )
        month = cls._today_of(cls.accountant).replace(day=1)
        cls.last_month = month - relativedelta(months=1)
        cls.client = cls.env["res.partner"].create(
            {"name": "Vitosha Tour Ltd", "is_company": True, "email": "v@example.com"}
        )
        other = cls.env["res.partner"].create(
            {"name": "Other Tour Client", "is_company": True}
        )
        employee = cls.env["hr.employee"].create(
            {"name": "Petya Preparer", "hourly_cost": 40.0}
        )
        for partner, name in ((cls.client, "Tax return"), (other, "Other work")):
            contract = cls.env["qlibra.contract"].create(
                {
                    "partner_id": partner.id,
                    "contract_type": "hourly",
                    "hourly_rate": 100.0,
                    "date_start": month - relativedelta(months=3),
                }
            )
            project = cls.env["project.project"].create(
                {
                    "name": f"{partner.name} Taxes",
                    "partner_id": partner.id,
                    "allow_timesheets": True,
                    "qlibra_contract_id": contract.id,
                }
            )
            cls.env["account.analytic.line"].create(
                [
                    {
                        "name": f"{name} {number}",
                        "project_id": project.id,
                        "employee_id": employee.id,
                        "date": cls.last_month + relativedelta(days=number),
                        "unit_amount": hours,
                    }
                    for number, hours in ((1, 3.0), (2, 2.5))
                ]
            )

    def test_accountant_prints_statements(self):
        self.assertFalse(self.accountant._is_admin())
        names, xlsx = [], []
        name_download = ir_actions_report.IrActionsReport._qlibra_download_file_name
        render_xlsx = ReportAction._render_xlsx

        def spy_name(report, url):
            names.append(name_download(report, url))
            return names[-1]

        def spy_xlsx(report, report_ref, docids, data):
            result = render_xlsx(report, report_ref, docids, data)
            xlsx.append((report.env.user, result[0]))
            return result

        self.patch(
            ir_actions_report.IrActionsReport, "_qlibra_download_file_name", spy_name
        )
        self.patch(ReportAction, "_render_xlsx", spy_xlsx)
        self.start_tour(
            "/odoo", "qlibra_accountant_statement_tour", login=self.accountant.login
        )
        month = f"{self.last_month:%Y-%m}"
        self.assertEqual(
            names,
            [
                f"Statement - Vitosha Tour Ltd - {month}.pdf",
                f"Statement - Vitosha Tour Ltd - {month}.xlsx",
                f"Statement - Vitosha Tour Ltd - {month}.pdf",
            ],
        )
        # The Excel statement the accountant got: the firm, the client, the
        # lines and the amount billed.
        ((user, content),) = xlsx
        self.assertEqual(user, self.accountant)
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Vitosha Tour Ltd"]
        texts = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
        for text in (self.env.company.name, "12 Vitosha Blvd", "Vitosha Tour Ltd"):
            self.assertIn(text, texts)
        self.assertIn("Tax return 1", texts)
        self.assertNotIn("Other work 1", texts)
        self.assertIn(550.0, texts)
