# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from odoo.addons.qlibra_task_reports.tests.common import MARCH

from .common import QlibraAccountCommon

STATEMENT = "qlibra_task_reports.action_report_client_statement"
STATEMENT_XLSX = "qlibra_task_reports.action_report_client_statement_xlsx"
PROFITABILITY_XLSX = "qlibra_task_reports.action_report_profitability_xlsx"


@tagged("post_install", "-at_install")
class TestI18n(QlibraAccountCommon):
    """The Bulgarian translation reaches menus, statements and reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("bg_BG")
        cls.env["ir.module.module"]._load_module_terms(
            ["account", "qlibra_task", "qlibra_task_reports", "qlibra_task_account"],
            ["bg_BG"],
            overwrite=True,
        )
        cls.alpha.lang = "bg_BG"

    def test_menu(self):
        menu = self.env(context={"lang": "bg_BG"}).ref(
            "qlibra_task_account.menu_qlibra_invoicing"
        )
        self.assertEqual(menu.name, "Спечелено срещу фактурирано")

    def test_statement_in_the_clients_language(self):
        text = self._render_pdf_text(
            STATEMENT, self.alpha | self.beta, data=MARCH, user=self.accountant
        )
        self.assertIn("Фактури за периода", text)
        self.assertIn(f"{self.invoice_alpha.name} Фактура за продажба $ 400,00", text)
        self.assertIn("Общо фактурирано $ 350,00", text)
        # Beta stays in English.
        self.assertIn("Invoices of the Period", text)
        formulas, __ = self._render_xlsx(
            STATEMENT_XLSX, self.alpha, data=MARCH, user=self.accountant
        )
        sheet = formulas["Alpha Trade"]
        title = self._find_row(sheet, 0, "Фактури за периода")[0].row
        self.assertEqual(sheet.cell(title + 1, 6).value, "Сума без данъци")
        self.assertEqual(sheet.cell(title + 2, 3).value, "Фактура за продажба")

    def test_profitability_xlsx_in_the_users_language(self):
        self.manager.lang = "bg_BG"
        formulas, cached = self._render_xlsx(
            PROFITABILITY_XLSX,
            self.alpha | self.beta,
            data=MARCH,
            user=self.manager,
        )
        sheet = formulas.worksheets[0]
        header = [cell.value for cell in sheet[4]]
        status = header.index("Фактуриране") + 1
        alpha = self._find_row(sheet, 0, "Alpha Trade")[0].row
        beta = self._find_row(sheet, 0, "Beta Advice")[0].row
        values = cached.worksheets[0]
        self.assertEqual(values.cell(alpha, status).value, "За фактуриране")
        self.assertEqual(values.cell(beta, status).value, "Фактурирано авансово")
        self.assertIn('"Фактурирано авансово"', sheet.cell(beta, status).value)
