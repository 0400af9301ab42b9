# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import subprocess
import tempfile
from datetime import date

from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase

try:
    import openpyxl
except ImportError:  # pragma: no cover - test requirement
    openpyxl = None

MARCH = {"date_from": "2025-03-01", "date_to": "2025-03-31"}


class QlibraReportsCommon(TransactionCase):
    """Four clients with exact hours and costs in March 2025.

    Hourly costs 36 and 52 with a 25% overhead: 45 and 65 per hour.

    - Alpha: subscription since January, fee 200, 10 h included, 80 per
      extra hour; March: 6 + 5.5 h (A) and 2 h change request (B) = 13.5 h,
      3.5 extra hours = 280; cost 270 + 247.5 + 130 = 647.5.
    - Beta: hourly at 95; 4 h (A) + 3.25 h (B) = 7.25 h = 688.75;
      cost 180 + 211.25 = 391.25.
    - Gamma: fixed price; "Annual closing" (2500) done on 2025-03-20, 8 h
      (A); change request 3 h (B); cost 360 + 195 = 555.
    - Delta: no contract; 1.5 h (A); cost 67.5.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # Under --test-enable an HTTP server listens on web.base.url: there,
        # wkhtmltopdf's request for the report CSS waits for the asset
        # attachments this test transaction created and never committed, until
        # the test ends: a deadlock. A closed port makes wkhtmltopdf go on
        # without CSS (unstyled but complete, see PLATFORM.md).
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )
        cls.company = cls.env.company
        cls.company.qlibra_overhead_rate = 25.0
        cls.currency = cls.company.currency_id
        cls.accountant = new_test_user(
            cls.env,
            login="qlibra_rep_accountant",
            groups="base.group_user,qlibra_task.group_qlibra_accountant",
            email="accountant@example.com",
            name="Ana Accountant",
        )
        cls.manager = new_test_user(
            cls.env,
            login="qlibra_rep_manager",
            groups="base.group_user,qlibra_task.group_qlibra_manager",
            email="manager@example.com",
            name="Mila Manager",
        )
        Employee = cls.env["hr.employee"]
        cls.employee_a = Employee.create({"name": "Asen Atanasov", "hourly_cost": 36.0})
        cls.employee_b = Employee.create({"name": "Boris Borisov", "hourly_cost": 52.0})
        Partner = cls.env["res.partner"]
        cls.alpha = Partner.create(
            {"name": "Alpha Trade", "is_company": True, "email": "alpha@example.com"}
        )
        cls.beta = Partner.create(
            {"name": "Beta Advice", "is_company": True, "email": "beta@example.com"}
        )
        cls.gamma = Partner.create(
            {"name": "Gamma Build", "is_company": True, "email": "gamma@example.com"}
        )
        cls.delta = Partner.create({"name": "Delta Dental", "is_company": True})
        Contract = cls.env["qlibra.contract"]
        common = {"date_start": date(2025, 1, 1), "target_margin": 30.0}
        cls.contract_alpha = Contract.create(
            {
                **common,
                "partner_id": cls.alpha.id,
                "contract_type": "subscription",
                "monthly_fee": 200.0,
                "included_hours": 10.0,
                "overage_rate": 80.0,
            }
        )
        cls.contract_beta = Contract.create(
            {
                **common,
                "partner_id": cls.beta.id,
                "contract_type": "hourly",
                "hourly_rate": 95.0,
            }
        )
        cls.contract_gamma = Contract.create(
            {**common, "partner_id": cls.gamma.id, "contract_type": "fixed_price"}
        )
        cls.task = {}
        for partner, contract in (
            (cls.alpha, cls.contract_alpha),
            (cls.beta, cls.contract_beta),
            (cls.gamma, cls.contract_gamma),
            (cls.delta, Contract),
        ):
            project = cls.env["project.project"].create(
                {
                    "name": f"{partner.name} Project",
                    "partner_id": partner.id,
                    "allow_timesheets": True,
                    "qlibra_contract_id": contract.id,
                }
            )
            cls.task[partner] = cls.env["project.task"].create(
                {"name": f"{partner.name} Work", "project_id": project.id}
            )
        cls.task_alpha_cr = cls.env["project.task"].create(
            {
                "name": "Alpha Extra Report",
                "project_id": cls.task[cls.alpha].project_id.id,
                "qlibra_is_change_request": True,
            }
        )
        cls.task_gamma_cr = cls.env["project.task"].create(
            {
                "name": "Gamma Late Change",
                "project_id": cls.task[cls.gamma].project_id.id,
                "qlibra_is_change_request": True,
            }
        )
        cls.task_gamma_closing = cls.task[cls.gamma]
        cls.task_gamma_closing.write(
            {"name": "Annual closing", "qlibra_fixed_price": 2500.0}
        )
        cls.task_gamma_closing.state = "1_done"
        cls.task_gamma_closing.qlibra_date_done = date(2025, 3, 20)
        a, b = cls.employee_a, cls.employee_b
        cls.lines = cls._log(
            [
                (cls.task[cls.alpha], a, date(2025, 3, 3), 6.0, "Bookkeeping March"),
                (cls.task[cls.alpha], a, date(2025, 3, 17), 5.5, "VAT return"),
                (cls.task_alpha_cr, b, date(2025, 3, 18), 2.0, "Extra report"),
                (cls.task[cls.beta], a, date(2025, 3, 5), 4.0, "Tax advice"),
                (cls.task[cls.beta], b, date(2025, 3, 6), 3.25, "Payroll advice"),
                (cls.task_gamma_closing, a, date(2025, 3, 10), 8.0, "Closing work"),
                (cls.task_gamma_cr, b, date(2025, 3, 12), 3.0, "Late change"),
                (cls.task[cls.delta], a, date(2025, 3, 7), 1.5, "Dental advice"),
            ]
        )

    @classmethod
    def _log(cls, plan):
        return cls.env["account.analytic.line"].create(
            [
                {
                    "name": name,
                    "project_id": task.project_id.id,
                    "task_id": task.id,
                    "employee_id": employee.id,
                    "date": day,
                    "unit_amount": hours,
                }
                for task, employee, day, hours, name in plan
            ]
        )

    # ------------------------------------------------------------------
    # Rendering helpers
    # ------------------------------------------------------------------
    def _render_pdf_text(self, report_ref, partners, data=None, user=None):
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        if user:
            Report = Report.with_user(user)
        content, report_format = Report._render_qweb_pdf(
            report_ref, partners.ids, data=data
        )
        self.assertEqual(report_format, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        return self._pdf_to_text(content)

    def _pdf_to_text(self, content):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
            pdf.write(content)
            pdf.flush()
            result = subprocess.run(
                ["pdftotext", "-layout", pdf.name, "-"],
                capture_output=True,
                check=True,
                text=True,
            )
        return " ".join(
            result.stdout.replace("\xa0", " ").replace("\u200b", "").split()
        )

    def _render_pdf(self, report_ref, records, data=None, user=None):
        """PDF bytes of a report, rendered by wkhtmltopdf."""
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        if user:
            Report = Report.with_user(user)
        content, report_format = Report._render_qweb_pdf(
            report_ref, records.ids, data=data
        )
        self.assertEqual(report_format, "pdf")
        return content

    def _pdf_pages_text(self, content):
        """The text of each page of a PDF (pdftotext separates pages with a
        form feed), whitespace collapsed as in _pdf_to_text."""
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
            pdf.write(content)
            pdf.flush()
            result = subprocess.run(
                ["pdftotext", "-layout", pdf.name, "-"],
                capture_output=True,
                check=True,
                text=True,
            )
        pages = result.stdout.replace("\xa0", " ").replace("\u200b", "").split("\f")
        if pages and not pages[-1].strip():
            pages.pop()
        return [" ".join(page.split()) for page in pages]

    def _render_xlsx(self, report_ref, partners, data=None, user=None):
        Report = self.env["ir.actions.report"]
        if user:
            Report = Report.with_user(user)
        content, report_format = Report._render_xlsx(report_ref, partners.ids, data)
        self.assertEqual(report_format, "xlsx")
        formulas = openpyxl.load_workbook(io.BytesIO(content))
        values = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
        return formulas, values

    def _find_row(self, sheet, column, value):
        for row in sheet.iter_rows():
            if row[column].value == value:
                return row
        self.fail(f"No row with {value!r} in column {column} of {sheet.title}")
