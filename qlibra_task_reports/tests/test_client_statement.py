# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import MARCH, QlibraReportsCommon

STATEMENT = "qlibra_task_reports.action_report_client_statement"
STATEMENT_XLSX = "qlibra_task_reports.action_report_client_statement_xlsx"
# Every internal figure of the fixtures: hourly costs with and without the
# overhead, line costs and cost totals.
INTERNAL_FIGURES = [
    "36.00",
    "52.00",
    "45.00",
    "65.00",
    "270.00",
    "247.50",
    "130.00",
    "647.50",
    "180.00",
    "211.25",
    "391.25",
    "360.00",
    "195.00",
    "555.00",
    "67.50",
]


@tagged("post_install", "-at_install")
class TestClientStatement(QlibraReportsCommon):
    def _values(self, partners, data=None):
        """Report values as the user of the test; data=None: March 2025."""
        data = MARCH if data is None else data
        return (
            self.env["report.qlibra_task_reports.report_client_statement"]
            .with_user(self.accountant)
            ._get_report_values(partners.ids, data)
        )

    def test_data_subscription(self):
        statement = self._values(self.alpha)["statements"][self.alpha.id]
        self.assertEqual(statement["hours"], 13.5)
        self.assertEqual(statement["change_request_hours"], 2.0)
        self.assertEqual(statement["change_request_count"], 1)
        self.assertEqual(len(statement["lines"]), 3)
        (section,) = statement["sections"]
        self.assertEqual(section["contract"], self.contract_alpha)
        (month,) = section["months"]
        self.assertEqual(month["month"], date(2025, 3, 1))
        self.assertEqual(month["included_hours"], 10.0)
        self.assertEqual(month["used_hours"], 13.5)
        self.assertEqual(month["extra_hours"], 3.5)
        self.assertAlmostEqual(month["fee"], 200.0)
        self.assertAlmostEqual(month["overage_amount"], 280.0)
        self.assertEqual(
            [(t["currency"], t["amount"]) for t in statement["totals"]],
            [(self.currency, 480.0)],
        )

    def test_data_has_no_internal_key(self):
        values = self._values(self.alpha | self.beta | self.gamma | self.delta)
        forbidden = {"cost", "margin", "hourly_cost", "margin_percent", "amount_cost"}

        def walk(value):
            if isinstance(value, dict):
                self.assertFalse(forbidden & set(value), value.keys())
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(values["statements"])

    def test_pdf_each_contract_type(self):
        text = self._render_pdf_text(
            STATEMENT,
            self.alpha | self.beta | self.gamma | self.delta,
            data=MARCH,
            user=self.accountant,
        )
        self.assertIn("Statement of Work Done", text)
        self.assertEqual(text.count("Statement of Work Done"), 4)
        # Subscription: included, used, extra hours (as HH:MM), fee and
        # overage.
        self.assertIn("March 2025 10:00 13:30 03:30 $ 200.00 $ 280.00", text)
        self.assertIn("Extra report 02:00 CR", text)
        # Hourly: hours x rate.
        self.assertIn("07:15 $ 95.00 $ 688.75", text)
        # Fixed price: the job delivered and its price.
        self.assertIn("Annual closing $ 2,500.00", text)
        self.assertIn("03/20/2025", text)
        # Time without contract is shown under its own heading.
        self.assertIn("Time not covered by a contract", text)
        self.assertIn("Dental advice 01:30", text)
        # Every timesheet line, with its employee.
        for line in self.lines:
            self.assertIn(line.name, text)
        self.assertIn("Boris Borisov", text)

    def test_pdf_hours_as_hours_and_minutes(self):
        text = self._render_pdf_text(
            STATEMENT, self.alpha, data=MARCH, user=self.accountant
        )
        self.assertIn("Bookkeeping March 06:00", text)
        self.assertIn("VAT return 05:30", text)
        # The section's total follows its last line; the statement's totals.
        self.assertIn("Hours: 13:30 (change requests: 02:00)", text)
        self.assertIn("Total hours 13:30", text)
        self.assertIn("Change-request hours 02:00", text)
        self.assertNotIn("13.50", text)

    def test_pdf_firm_identity_and_end_mark(self):
        """The firm's name, address and VAT number are in the body (Debian's
        wkhtmltopdf drops the layout's header), and each statement ends with
        an end mark and has its page numbers."""
        self.company.write({"street": "12 Vitosha Blvd", "vat": "BG999999999"})
        text = self._render_pdf_text(
            STATEMENT, self.alpha | self.beta, data=MARCH, user=self.accountant
        )
        self.assertIn(self.company.name, text)
        self.assertIn("12 Vitosha Blvd", text)
        self.assertIn("BG999999999", text)
        self.assertEqual(text.count("12 Vitosha Blvd"), 2, "one per client")
        self.assertIn("End of the statement of Alpha Trade", text)
        self.assertIn("End of the statement of Beta Advice", text)
        # Pages are numbered per statement: a missing page shows
        # (test_page_numbers.py).
        self.assertEqual(len(re.findall(r"Page 1 / \d+", text)), 2)

    def test_last_lines_stay_with_the_total(self):
        """The last lines of a section and its total are in one block that
        is not broken across pages; so are the totals and the end mark."""
        lines = self._log(
            [
                (
                    self.task[self.beta],
                    self.employee_a,
                    date(2025, 3, day),
                    1.0,
                    f"L{day}",
                )
                for day in range(10, 20)
            ]
        )
        self.assertEqual(len(lines), 10)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            ._render_qweb_html(STATEMENT, self.beta.ids, data=MARCH)[0]
            .decode()
        )
        blocks = html.split('class="o_qlibra_keep_together"')
        self.assertEqual(len(blocks), 3, "one per section and one for the totals")
        section_tail = blocks[1].split("</table>")[0]
        self.assertNotIn("L16", section_tail)
        for name in ("L17", "L18", "L19"):
            self.assertIn(name, section_tail)
        self.assertIn("o_qlibra_section_total", blocks[1])
        self.assertIn("o_qlibra_statement_totals", blocks[2])
        self.assertIn("End of the statement", blocks[2])

    def test_pdf_shows_no_internal_figure(self):
        text = self._render_pdf_text(
            STATEMENT,
            self.alpha | self.beta | self.gamma | self.delta,
            data=MARCH,
            user=self.accountant,
        )
        for figure in INTERNAL_FIGURES:
            self.assertNotIn(figure, text)
        for word in ("Cost", "Margin"):
            self.assertNotIn(word, text)

    def test_empty_period(self):
        data = {"date_from": "2024-06-01", "date_to": "2024-06-30"}
        statement = self._values(self.delta, data)["statements"][self.delta.id]
        self.assertTrue(statement["is_empty"])
        self.assertEqual(statement["lines"], [])
        text = self._render_pdf_text(STATEMENT, self.delta, data=data)
        self.assertIn(
            "No work was recorded for you and nothing is billed in this period.", text
        )
        self.assertIn("Total hours 00:00", text)

    def test_default_period_is_previous_month(self):
        values = self._values(self.delta, data={})
        first_of_month = fields.Date.context_today(self.accountant).replace(day=1)
        self.assertEqual(values["date_from"], first_of_month - relativedelta(months=1))
        self.assertEqual(values["date_to"], first_of_month - relativedelta(days=1))

    def test_employee_cannot_print(self):
        employee = new_test_user(self.env, login="qlibra_rep_employee")
        with self.assertRaises(AccessError):
            self.env["report.qlibra_task_reports.report_client_statement"].with_user(
                employee
            )._get_report_values(self.alpha.ids, MARCH)

    def test_xlsx(self):
        formulas, values = self._render_xlsx(
            STATEMENT_XLSX,
            self.alpha | self.beta | self.gamma,
            data=MARCH,
            user=self.accountant,
        )
        self.assertEqual(
            formulas.sheetnames, ["Alpha Trade", "Beta Advice", "Gamma Build"]
        )
        # Fixed price: the job delivered, on its day, at its price.
        sheet = formulas["Gamma Build"]
        closing = self._find_row(sheet, 1, "Annual closing")
        self.assertEqual(closing[2].value, datetime(2025, 3, 20))
        self.assertEqual(closing[7].value, 2500.0)
        amount = self._find_row(sheet, 0, "Total amount")
        self.assertEqual(values["Gamma Build"].cell(amount[7].row, 8).value, 2500.0)
        sheet, cached = formulas["Alpha Trade"], values["Alpha Trade"]
        # The table's header row comes after the firm's identity and the
        # statement's heading (test_xlsx_firm_identity).
        head = self._find_row(sheet, 0, "Date")[0].row
        first, last = head + 1, head + 3
        self.assertEqual(sheet.freeze_panes, f"A{first}")
        self.assertTrue(sheet.auto_filter.ref.startswith(f"A{head}:H"))
        # Dates are dates, hours are numbers.
        self.assertEqual(sheet[f"A{first}"].value, datetime(2025, 3, 3))
        self.assertEqual(sheet[f"G{first}"].value, 6.0)
        self.assertEqual(sheet[f"G{first}"].number_format, "#,##0.00")
        # The total is a formula, its cached value the sum.
        total = self._find_row(sheet, 0, "Total")
        self.assertEqual(total[6].value, f"=SUM(G{first}:G{last})")
        self.assertEqual(total[7].value, f"=SUM(H{first}:H{last})")
        self.assertEqual(cached.cell(total[6].row, 7).value, 13.5)
        self.assertEqual(cached.cell(total[7].row, 8).value, 2.0)
        # Billing: the extra hours and the total amount are formulas.
        extra = self._find_row(sheet, 1, "Extra hours")
        self.assertEqual(extra[3].value, 10.0)
        self.assertEqual(extra[4].value, 13.5)
        self.assertTrue(extra[5].value.startswith("=MAX(0,"))
        self.assertEqual(extra[7].value, 280.0)
        amount = self._find_row(sheet, 0, "Total amount")
        self.assertTrue(amount[7].value.startswith("=SUM(H"))
        self.assertEqual(cached.cell(amount[7].row, 8).value, 480.0)
        # Hourly: the hours, the rate, and the amount the analysis shows (the
        # lines' revenue, each rounded), not a formula of hours x rate.
        sheet = formulas["Beta Advice"]
        worked = self._find_row(sheet, 1, "Hours worked")
        self.assertEqual(worked[4].value, 7.25)
        self.assertEqual(worked[6].value, 95.0)
        self.assertEqual(worked[7].value, 688.75)
        # No internal figure anywhere.
        for ws in values.worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    self.assertNotIn(value, (45.0, 65.0, 647.5, 391.25))

    def test_xlsx_firm_identity(self):
        """The Excel statement, like the PDF, names the firm, its address and
        its VAT number above the statement (SPEC, Reports)."""
        self.company.write(
            {
                "street": "12 Vitosha Blvd",
                "street2": False,
                "zip": "1000",
                "city": "Sofia",
                "vat": "BG999999999",
            }
        )
        formulas, _values = self._render_xlsx(
            STATEMENT_XLSX, self.alpha | self.beta, data=MARCH, user=self.accountant
        )
        for name in ("Alpha Trade", "Beta Advice"):
            sheet = formulas[name]
            top = [sheet.cell(row, 1).value for row in range(1, 8)]
            self.assertEqual(top[0], self.company.name)
            self.assertIn("12 Vitosha Blvd", top)
            self.assertTrue(any(text and "1000" in text for text in top), top)
            self.assertIn("VAT: BG999999999", top)
            title = self._find_row(sheet, 0, "Statement of Work Done")[0].row
            self.assertGreater(title, top.index("VAT: BG999999999") + 1)
            self.assertEqual(sheet.cell(title + 1, 2).value, name)

    def test_bulgarian_statement(self):
        self.env["res.lang"]._activate_lang("bg_BG")
        self.env["ir.module.module"]._load_module_terms(
            ["qlibra_task", "qlibra_task_reports"], ["bg_BG"], overwrite=True
        )
        self.alpha.lang = "bg_BG"
        text = self._render_pdf_text(
            STATEMENT, self.alpha | self.beta, data=MARCH, user=self.accountant
        )
        self.assertIn("Отчет за извършената работа", text)
        self.assertIn("Statement of Work Done", text)  # Beta stays in English
        self.assertIn("Допълнителни заявки (записи) 1", text)
        self.assertIn("Обща сума $ 480,00", text)
        self.assertIn("март", text)
        self.assertIn("03.03.2025", text)
        formulas, _values = self._render_xlsx(
            STATEMENT_XLSX, self.alpha, data=MARCH, user=self.accountant
        )
        sheet = formulas["Alpha Trade"]
        self._find_row(sheet, 0, "Отчет за извършената работа")
        self._find_row(sheet, 0, "Дата")


@tagged("post_install", "-at_install")
class TestStatementRowsNotSplit(QlibraReportsCommon):
    """No row of a statement is cut across two PDF pages: a row whose text
    wraps over several lines is on one page, and a project's heading row is
    on the page of its first task."""

    FILLER = (
        "reconciliation of the bank statements with the ledger and the "
        "supporting documents for the month under review"
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        project = cls.task[cls.beta].project_id
        tasks = cls.env["project.task"].create(
            [
                {
                    "name": f"T{number:02d}begin {cls.FILLER} T{number:02d}end",
                    "project_id": project.id,
                }
                for number in range(40)
            ]
        )
        cls.env["account.analytic.line"].create(
            [
                {
                    "name": f"R{number:02d}begin {cls.FILLER} R{number:02d}end",
                    "project_id": project.id,
                    "task_id": task.id,
                    "employee_id": cls.employee_a.id,
                    "date": date(2025, 3, number % 28 + 1),
                    "unit_amount": 0.25,
                }
                for number, task in enumerate(tasks)
            ]
        )

    def _pages_of(self, pages, text):
        found = [index for index, page in enumerate(pages) if text in page]
        self.assertTrue(found, f"{text!r} is in no page")
        return found

    def test_rows_stay_on_one_page(self):
        content = self._render_pdf(
            STATEMENT, self.beta, data=MARCH, user=self.accountant
        )
        pages = self._pdf_pages_text(content)
        self.assertGreaterEqual(len(pages), 3, "a statement of several pages")
        for number in range(40):
            # The line's row, and its task's row in the lines and in the
            # hours per project and task.
            # Single words: pdftotext interleaves the lines of wrapped cells.
            for begin, end in (
                (f"R{number:02d}begin", f"R{number:02d}end"),
                (f"T{number:02d}begin", f"T{number:02d}end"),
            ):
                with self.subTest(begin=begin):
                    self.assertEqual(
                        self._pages_of(pages, begin), self._pages_of(pages, end)
                    )

    def test_rows_are_unbreakable_blocks(self):
        """Each row is a block that is not broken across pages (wkhtmltopdf
        ignores page-break-inside on table rows); a project's row is in the
        block of its first task, the table's header in the first block."""
        html = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            ._render_qweb_html(STATEMENT, self.beta.ids, data=MARCH)[0]
            .decode()
        )
        # The section's heading, terms and billing tables stay together.
        self.assertIn(
            '<div class="o_qlibra_section_head" style="page-break-inside: avoid;">',
            html,
        )
        marker = '<div class="o_qlibra_row" style="page-break-inside: avoid;">'
        blocks = [block.split("</table>")[0] for block in html.split(marker)[1:]]
        lines = [b for b in blocks if "o_qlibra_statement_lines" in b]
        projects = [b for b in blocks if "o_qlibra_statement_projects" in b]
        # 42 lines: 39 in blocks of their own, the last 3 with the total.
        self.assertEqual(len(lines), 39)
        self.assertEqual(len(projects), 41, "one per task")
        self.assertEqual(sum("<thead>" in b for b in lines), 1)
        self.assertIn("<thead>", lines[0])
        self.assertIn("Hours per Project and Task", projects[0])
        self.assertIn("Beta Advice Project", projects[0].split("</tbody>")[0])
        self.assertEqual(sum("Beta Advice Project" in b for b in projects), 1)
        for block in lines:
            self.assertEqual(block.count("<tr"), 1 + ("<thead>" in block))
        # The header, the project's row and its first task; then one task.
        self.assertEqual(projects[0].count("<tr"), 3)
        for block in projects[1:]:
            self.assertEqual(block.count("<tr"), 1)
