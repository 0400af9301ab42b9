# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import subprocess
import tempfile

from dateutil.relativedelta import relativedelta

from odoo.tests import new_test_user

from odoo.addons.qlibra_task.tests.common import QlibraHttpCase

# The hourly cost of the employees: it must never reach a client. 8 hours of
# Asen cost 330.96 (no overhead); 4 hours of Boris 210.00.
COST_STRINGS = ("41.37", "41,37", "330.96", "330,96", "52.50", "52,50", "210.00")


class QlibraPortalCommon(QlibraHttpCase):
    """Two clients of the main company and one of a second company, each
    with a portal user.

    - Alpha Services: subscription of 40 hours a month (fee 900, extra hour
      75) since three months ago; this month Asen logged 8 h on "Alpha
      Bookkeeping" and Boris 4 h on the change request "Alpha Extra
      Report": 12:00 / 40:00, 30 %. Last month Asen logged 10 h.
    - Beta Hourly: hourly at 95 since three months ago, 6 h this month.
    - Gamma Second (second company): subscription of 10 hours, 3 h this
      month.

    Portal users: Alpha's Pavel (and Bistra, Bulgarian), Beta's Vera and
    Gamma's Galya (second company).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # wkhtmltopdf would ask this test server for the report CSS while
        # the request that renders waits for it: go on without CSS, as
        # qlibra_task_reports' tests do.
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )
        cls.company = cls.env.company
        cls.company.qlibra_overhead_rate = 0.0
        cls.company2 = cls.env["res.company"].create({"name": "Second Firm Ltd"})
        cls.accountant = new_test_user(
            cls.env,
            login="qlibra_portal_accountant",
            groups="base.group_user,qlibra_task.group_qlibra_accountant",
            name="Ana Accountant",
        )
        cls.today = cls._today_of(cls.accountant)
        cls.month = cls.today.replace(day=1)
        cls.last_month = cls.month - relativedelta(months=1)
        start = cls.month - relativedelta(months=3)
        Employee = cls.env["hr.employee"]
        cls.asen = Employee.create({"name": "Asen Atanasov", "hourly_cost": 41.37})
        cls.boris = Employee.create({"name": "Boris Borisov", "hourly_cost": 52.50})
        cls.georgi = Employee.create(
            {
                "name": "Georgi Second",
                "hourly_cost": 41.37,
                "company_id": cls.company2.id,
            }
        )
        Partner = cls.env["res.partner"]
        cls.alpha = Partner.create({"name": "Alpha Services", "is_company": True})
        cls.beta = Partner.create({"name": "Beta Hourly", "is_company": True})
        cls.gamma = Partner.create({"name": "Gamma Second", "is_company": True})
        Contract = cls.env["qlibra.contract"]
        cls.contract_alpha = Contract.create(
            {
                "name": "Alpha Support",
                "partner_id": cls.alpha.id,
                "contract_type": "subscription",
                "date_start": start,
                "monthly_fee": 900.0,
                "included_hours": 40.0,
                "overage_rate": 75.0,
                "target_margin": 35.0,
            }
        )
        cls.contract_beta = Contract.create(
            {
                "name": "Beta Advice",
                "partner_id": cls.beta.id,
                "contract_type": "hourly",
                "date_start": start,
                "hourly_rate": 95.0,
            }
        )
        cls.contract_gamma = Contract.with_company(cls.company2).create(
            {
                "name": "Gamma Care",
                "partner_id": cls.gamma.id,
                "company_id": cls.company2.id,
                "contract_type": "subscription",
                "date_start": start,
                "monthly_fee": 300.0,
                "included_hours": 10.0,
                "overage_rate": 50.0,
            }
        )
        Project = cls.env["project.project"]
        Task = cls.env["project.task"]
        cls.project_alpha = Project.create(
            {
                "name": "Alpha Project",
                "partner_id": cls.alpha.id,
                "allow_timesheets": True,
                "privacy_visibility": "portal",
                "qlibra_contract_id": cls.contract_alpha.id,
            }
        )
        cls.task_alpha = Task.create(
            {"name": "Alpha Bookkeeping", "project_id": cls.project_alpha.id}
        )
        cls.task_alpha_cr = Task.create(
            {
                "name": "Alpha Extra Report",
                "project_id": cls.project_alpha.id,
                "qlibra_is_change_request": True,
            }
        )
        cls.project_beta = Project.create(
            {
                "name": "Beta Project",
                "partner_id": cls.beta.id,
                "allow_timesheets": True,
                "privacy_visibility": "portal",
                "qlibra_contract_id": cls.contract_beta.id,
            }
        )
        cls.task_beta = Task.create(
            {"name": "Beta Tax Advice", "project_id": cls.project_beta.id}
        )
        cls.project_gamma = Project.with_company(cls.company2).create(
            {
                "name": "Gamma Project",
                "partner_id": cls.gamma.id,
                "company_id": cls.company2.id,
                "allow_timesheets": True,
                "qlibra_contract_id": cls.contract_gamma.id,
            }
        )
        cls.task_gamma = Task.with_company(cls.company2).create(
            {"name": "Gamma Payroll", "project_id": cls.project_gamma.id}
        )
        Line = cls.env["account.analytic.line"]
        cls.lines = Line.create(
            [
                cls._line(cls.task_alpha, cls.asen, cls.month, 8.0, "Books"),
                cls._line(cls.task_alpha_cr, cls.boris, cls.month, 4.0, "Extra"),
                cls._line(cls.task_alpha, cls.asen, cls.last_month, 10.0, "Old"),
                cls._line(cls.task_beta, cls.asen, cls.month, 6.0, "Tax advice"),
            ]
        )
        cls.line_gamma = Line.with_company(cls.company2).create(
            cls._line(cls.task_gamma, cls.georgi, cls.month, 3.0, "Payroll")
        )
        cls.portal_alpha = cls._portal_user("qlibra_portal_alpha", "Pavel", cls.alpha)
        cls.portal_alpha_bg = cls._portal_user(
            "qlibra_portal_alpha_bg", "Bistra", cls.alpha, lang="bg_BG"
        )
        cls.portal_beta = cls._portal_user("qlibra_portal_beta", "Vera", cls.beta)
        cls.portal_gamma = cls._portal_user(
            "qlibra_portal_gamma", "Galya", cls.gamma, company=cls.company2
        )
        # Odoo's portal shows the time of the projects a client follows.
        cls.project_alpha.message_subscribe(cls.alpha.ids)
        cls.project_beta.message_subscribe(cls.beta.ids)

    @classmethod
    def _line(cls, task, employee, day, hours, name):
        return {
            "name": name,
            "project_id": task.project_id.id,
            "task_id": task.id,
            "employee_id": employee.id,
            "date": day,
            "unit_amount": hours,
        }

    @classmethod
    def _portal_user(cls, login, name, client, company=None, lang=None):
        company = company or cls.company
        if lang:
            cls.env["res.lang"]._activate_lang(lang)
            cls.env["ir.module.module"]._load_module_terms(
                ["qlibra_task", "qlibra_task_portal"], [lang], overwrite=True
            )
        contact = cls.env["res.partner"].create(
            {"name": f"{name} of {client.name}", "parent_id": client.id}
        )
        return new_test_user(
            cls.env,
            login=login,
            name=contact.name,
            partner_id=contact.id,
            groups="base.group_portal",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
            lang=lang or "en_US",
        )

    def _get(self, user, url, status=200):
        """GET ``url`` as ``user``; a redirect is followed only to the same
        page in the user's language (/bg/my/services), never elsewhere."""
        self.authenticate(user.login, user.login)
        response = self.url_open(url, timeout=120)
        self.assertEqual(response.status_code, status, f"{url}: {response.text[:300]}")
        self.assertTrue(response.url.endswith(url), response.url)
        return response

    def assertNoCost(self, text):
        costs = self.lines.sudo().mapped("qlibra_cost") + self.lines.sudo().mapped(
            "qlibra_revenue"
        )
        figures = [f"{abs(amount):.2f}" for amount in costs if amount]
        for figure in [
            *COST_STRINGS,
            *figures,
            *(f.replace(".", ",") for f in figures),
        ]:
            self.assertNotIn(figure, text)
        for word in ("Margin", "margin", "Hourly Cost", "hourly_cost", "qlibra_cost"):
            self.assertNotIn(word, text)

    @staticmethod
    def _pdf_to_text(content):
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
