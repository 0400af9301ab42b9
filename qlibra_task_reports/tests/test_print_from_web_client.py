# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import json
from urllib.parse import quote

from odoo import http
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from odoo.addons.qlibra_task.tests.common import QlibraHttpCase

from .common import MARCH, QlibraReportsCommon


@tagged("post_install", "-at_install")
class TestPrintFromWebClient(QlibraReportsCommon, QlibraHttpCase):
    """Print from the wizard as the web client does.

    For a report action that carries data, the web client requests
    ``/report/pdf/<report>?options=<data>&context=<context>``, without record
    ids (Odoo's ``getReportUrl``): the report must take its clients from the
    data, and only those.
    """

    def _print(self, user, report, partners, file_format="pdf"):
        Wizard = self.env["qlibra.statement.wizard"].with_user(user)
        wizard = Wizard.create(
            {
                "period": "custom",
                "date_from": MARCH["date_from"],
                "date_to": MARCH["date_to"],
                "partner_ids": [(6, 0, partners.ids)],
                "report": report,
                "file_format": file_format,
            }
        )
        action = wizard.action_print()
        self.assertTrue(action["data"], "the action carries the wizard's data")
        # Real PDF bytes, not the HTML that test mode renders by default.
        context = dict(action["context"], force_report_rendering=True)
        url = "/report/{}/{}?options={}&context={}".format(
            "pdf" if file_format == "pdf" else file_format,
            action["report_name"],
            quote(json.dumps(action["data"])),
            quote(json.dumps(context)),
        )
        self.authenticate(user.login, user.login)
        response = self.url_open(url, timeout=120)
        self.assertEqual(response.status_code, 200, response.text[:500])
        return response.content

    def test_statement_from_wizard_has_chosen_client_only(self):
        content = self._print(self.accountant, "statement", self.beta)
        self.assertTrue(content.startswith(b"%PDF"))
        text = self._pdf_to_text(content)
        self.assertIn("Beta Advice", text)
        self.assertIn("Tax advice", text)
        self.assertIn("Payroll advice", text)
        self.assertNotIn("Alpha Trade", text)
        self.assertNotIn("VAT return", text)
        self.assertNotIn("Gamma Build", text)

    def test_statements_from_wizard_numbered_per_client(self):
        """Two clients printed from the wizard: each statement's pages are
        numbered from 1 (the web client's URL carries no record ids)."""
        self._log(
            [
                (self.task[self.beta], self.employee_a, line.date, 0.25, f"Call {i}")
                for i, line in enumerate(list(self.lines) * 12)
            ]
        )
        content = self._print(self.accountant, "statement", self.alpha | self.beta)
        pages = self._pdf_pages_text(content)
        self.assertGreaterEqual(len(pages), 3)
        self.assertIn("Alpha Trade", pages[0])
        starts = [i for i, page in enumerate(pages) if "Statement of Work Done" in page]
        self.assertEqual(len(starts), 2)
        # Alpha's statement: one page, two with the invoicing bridge's rows.
        alpha_pages = starts[1]
        self.assertIn(f"Page 1 / {alpha_pages}", pages[0])
        beta_pages = len(pages) - alpha_pages
        self.assertGreaterEqual(beta_pages, 2)
        for number in range(1, beta_pages + 1):
            self.assertIn(
                f"Page {number} / {beta_pages}", pages[alpha_pages + number - 1]
            )
        self.assertIn("End of the statement of Beta Advice", pages[-1])

    def test_profitability_from_wizard_has_chosen_clients_only(self):
        content = self._print(self.manager, "profitability", self.alpha | self.gamma)
        # Landscape without a paper format of its own.
        page = PdfFileReader(io.BytesIO(content)).pages[0]
        self.assertGreater(float(page.mediabox.width), float(page.mediabox.height))
        text = self._pdf_to_text(content)
        self.assertIn("Alpha Trade", text)
        self.assertIn("Gamma Build", text)
        self.assertNotIn("Beta Advice", text)

    def test_statement_xlsx_from_wizard(self):
        content = self._print(self.accountant, "statement", self.alpha, "xlsx")
        self.assertTrue(content.startswith(b"PK"), "an XLSX (zip) file")

    def _download(self, user, url, report_type):
        """POST /report/download as the web client does; the response."""
        self.authenticate(user.login, user.login)
        context = json.dumps({"force_report_rendering": True})
        response = self.url_open(
            "/report/download",
            data={
                "data": json.dumps([url, report_type]),
                "context": context,
                "token": "dummy",
                "csrf_token": http.Request.csrf_token(self),
            },
            timeout=120,
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        return response

    def test_downloads_named_by_client_and_period(self):
        """Odoo names a report printed with data after its action ("Client
        Statement (PDF).pdf"); the statement is named by client and period,
        from the wizard and from the client's Print menu alike."""
        wizard = (
            self.env["qlibra.statement.wizard"]
            .with_user(self.accountant)
            .create(
                {
                    "period": "custom",
                    "date_from": "2025-02-01",
                    "date_to": "2025-03-31",
                    "partner_ids": [(6, 0, self.alpha.ids)],
                }
            )
        )
        action = wizard.action_print()
        # The wizard closes once the download starts.
        self.assertTrue(action["close_on_report_download"])
        options = quote(json.dumps(action["data"]))
        expected = "Statement - Alpha Trade - 2025-02 - 2025-03"
        for converter, report_type, report_name in (
            ("pdf", "qweb-pdf", "report_client_statement"),
            ("xlsx", "xlsx", "report_client_statement_xlsx"),
        ):
            url = f"/report/{converter}/qlibra_task_reports.{report_name}"
            url += f"?options={options}"
            response = self._download(self.accountant, url, report_type)
            self.assertIn(
                f"{quote(expected)}.{converter}",
                response.headers["Content-Disposition"],
            )
        # Several clients, or the Print menu without data (last month).
        Report = self.env["ir.actions.report"].with_user(self.accountant)
        ids = f"{self.alpha.id},{self.beta.id}"
        self.assertEqual(
            Report._qlibra_download_file_name(
                f"/report/xlsx/qlibra_task_reports.report_client_statement_xlsx/{ids}"
                f"?options={options}"
            ),
            "Statement - 2025-02 - 2025-03.xlsx",
        )
        last_month = self.env["qlibra.report.period"]._get_period()[0]
        self.assertEqual(
            Report._qlibra_download_file_name(
                f"/report/pdf/qlibra_task_reports.report_client_statement/{self.beta.id}"
            ),
            f"Statement - Beta Advice - {last_month:%Y-%m}.pdf",
        )
        # Other reports keep Odoo's names.
        self.assertIsNone(
            Report._qlibra_download_file_name(
                "/report/pdf/base.report_irmodulereference/1"
            )
        )
