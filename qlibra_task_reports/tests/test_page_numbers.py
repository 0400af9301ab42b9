# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import tagged

from odoo.addons.qlibra_task_reports.models.ir_actions_report import (
    IrActionsReport,
    remove_footer_page_numbers,
)

from .common import MARCH
from .test_service_review import APRIL, REVIEW, ServiceReviewCommon

STATEMENT = "qlibra_task_reports.action_report_client_statement"


@tagged("post_install", "-at_install")
class TestPageNumbers(ServiceReviewCommon):
    """Client documents carry "Page X / Y" in their body, counted per
    document (Debian's wkhtmltopdf drops the layout's footer)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Beta's statement runs over several pages.
        cls._log(
            [
                (
                    cls.task[cls.beta],
                    cls.employee_a if day % 2 else cls.employee_b,
                    date(2025, 3, day % 28 + 1),
                    0.5,
                    f"Advice call {day}",
                )
                for day in range(120)
            ]
        )

    def _assert_numbered(self, pages, first, count):
        """pages[first:first + count] are numbered 1 / count to count / count."""
        for number in range(1, count + 1):
            page = pages[first + number - 1]
            self.assertIn(f"Page {number} / {count}", page)
            self.assertEqual(page.count("Page "), 1, page)

    def test_statement_pages_numbered(self):
        pages = self._pdf_pages_text(
            self._render_pdf(STATEMENT, self.beta, data=MARCH, user=self.accountant)
        )
        self.assertGreaterEqual(len(pages), 2, "a statement of several pages")
        self._assert_numbered(pages, 0, len(pages))
        self.assertIn("Statement of Work Done", pages[0])
        self.assertIn("End of the statement of Beta Advice", pages[-1])

    def test_batch_restarts_numbering_per_client(self):
        pages = self._pdf_pages_text(
            self._render_pdf(
                STATEMENT,
                self.alpha | self.beta | self.gamma,
                data=MARCH,
                user=self.accountant,
            )
        )
        starts = [i for i, page in enumerate(pages) if "Statement of Work Done" in page]
        self.assertEqual(len(starts), 3)
        self.assertEqual(starts[0], 0)
        # Alpha's statement: one page, two with the invoicing bridge's rows.
        alpha_pages = starts[1]
        beta_pages = starts[2] - starts[1]
        self.assertGreaterEqual(beta_pages, 2)
        self._assert_numbered(pages, 0, alpha_pages)
        self._assert_numbered(pages, starts[1], beta_pages)
        self._assert_numbered(pages, starts[2], len(pages) - starts[2])
        self.assertIn("Gamma Build", pages[starts[2]])

    def test_statement_of_a_contact_is_its_company(self):
        contact = self.env["res.partner"].create(
            {"name": "Ada Alpha", "parent_id": self.alpha.id}
        )
        pages = self._pdf_pages_text(
            self._render_pdf(
                STATEMENT, contact | self.alpha, data=MARCH, user=self.accountant
            )
        )
        starts = [i for i, page in enumerate(pages) if "Statement of Work Done" in page]
        self.assertEqual(starts, [0], "one statement: the company's")
        self._assert_numbered(pages, 0, len(pages))

    def test_service_reviews_numbered_per_contract(self):
        pages = self._pdf_pages_text(
            self._render_pdf(
                REVIEW,
                self.contract_alpha | self.contract_beta,
                data=APRIL,
                user=self.manager,
            )
        )
        starts = [i for i, page in enumerate(pages) if "Service Review" in page]
        self.assertEqual(len(starts), 2)
        ends = [*starts[1:], len(pages)]
        for start, end in zip(starts, ends, strict=True):
            self._assert_numbered(pages, start, end - start)
        self.assertIn("End of the service review of Beta Advice", pages[-1])

    def test_page_label_in_the_clients_language(self):
        """Each document's pages are labelled in its client's language."""
        self.env["res.lang"]._activate_lang("bg_BG")
        self.alpha.lang = "bg_BG"

        def label(report, page, pages):
            return f"{report.env.lang} {page} of {pages}"

        self.patch(IrActionsReport, "_qlibra_page_label", label)
        text = self._pdf_to_text(
            self._render_pdf(
                STATEMENT, self.alpha | self.gamma, data=MARCH, user=self.accountant
            )
        )
        # (Alpha's statement has two pages with the invoicing bridge's rows.)
        self.assertRegex(text, r"bg_BG 1 of \d")
        self.assertRegex(text, r"en_US 1 of \d")
        text = self._pdf_to_text(
            self._render_pdf(REVIEW, self.contract_alpha, data=APRIL, user=self.manager)
        )
        self.assertRegex(text, r"bg_BG 1 of \d")

    def test_page_label(self):
        self.assertEqual(
            self.env["ir.actions.report"]._qlibra_page_label(2, 5), "Page 2 / 5"
        )

    def test_footer_page_numbers_removed(self):
        """wkhtmltopdf builds that render the layout's footer would print
        Odoo's page numbers too: they are taken out of the footer only."""
        html = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            ._render_qweb_html(
                STATEMENT, self.alpha.ids, data={**MARCH, "report_type": "pdf"}
            )[0]
        )
        self.assertIn(b'class="topage"', html)
        cleaned = remove_footer_page_numbers(html)
        self.assertNotIn(b'class="topage"', cleaned)
        self.assertNotIn(b'class="page"', cleaned.split(b'class="footer')[-1])
        self.assertIn(b"footer", cleaned)
        self.assertIn(b"End of the statement of", cleaned)
