# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

from odoo.tests import tagged

from odoo.addons.qlibra_task_reports.tests.common import MARCH

from .common import QlibraAccountCommon

PROFITABILITY = "qlibra_task_reports.action_report_profitability"
PROFITABILITY_XLSX = "qlibra_task_reports.action_report_profitability_xlsx"
STATEMENT = "qlibra_task_reports.action_report_client_statement"
STATEMENT_XLSX = "qlibra_task_reports.action_report_client_statement_xlsx"


@tagged("post_install", "-at_install")
class TestProfitabilityReportInvoicing(QlibraAccountCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clients = cls.alpha | cls.beta | cls.gamma | cls.delta

    def _values(self, partners, data=MARCH):
        return (
            self.env["report.qlibra_task_reports.report_profitability"]
            .with_user(self.manager)
            ._get_report_values(partners.ids, data)
        )

    def test_data(self):
        values = self._values(self.clients)
        clients = {client["partner"]: client for client in values["clients"]}
        alpha = clients[self.alpha]
        self.assertAlmostEqual(alpha["invoiced"], 350.0)
        self.assertAlmostEqual(alpha["to_invoice"], 130.0)
        self.assertEqual(alpha["invoice_status"], "to_invoice")
        self.assertAlmostEqual(alpha["realization_percent"], 350.0 / 480.0 * 100)
        beta = clients[self.beta]
        self.assertAlmostEqual(beta["invoiced"], 800.0)
        self.assertAlmostEqual(beta["to_invoice"], -111.25)
        self.assertEqual(beta["invoice_status"], "invoiced_ahead")
        gamma = clients[self.gamma]
        self.assertEqual((gamma["invoiced"], gamma["to_invoice"]), (0.0, 2500.0))
        self.assertEqual(gamma["realization_percent"], 0.0)
        delta = clients[self.delta]
        self.assertEqual((delta["invoiced"], delta["to_invoice"]), (100.0, -100.0))
        self.assertIsNone(delta["realization_percent"])
        totals = values["totals"]
        self.assertAlmostEqual(totals["revenue"], 3668.75)
        self.assertAlmostEqual(totals["invoiced"], 1250.0)
        self.assertAlmostEqual(totals["to_invoice"], 2418.75)
        self.assertAlmostEqual(totals["realization_percent"], 1250 / 3668.75 * 100)
        # The base figures are unchanged.
        self.assertAlmostEqual(totals["cost"], 1661.25)
        self.assertAlmostEqual(totals["margin"], 2007.5)
        [march] = values["trend"]
        self.assertAlmostEqual(march["invoiced"], 1250.0)
        self.assertAlmostEqual(march["to_invoice"], 2418.75)
        self.assertIn("revenue_bar", march)

    def test_equals_analysis(self):
        """The report's figures are the analysis', to the cent."""
        values = self._values(
            self.alpha, {"date_from": "2025-01-01", "date_to": "2025-04-30"}
        )
        (alpha,) = values["clients"]
        self.assertEqual(
            [
                (m["month"].month, m["invoiced"], m["to_invoice"])
                for m in alpha["trend"]
            ],
            [(1, 0.0, 200.0), (2, 200.0, 0.0), (3, 350.0, 130.0), (4, 480.0, -280.0)],
        )
        [(invoiced, to_invoice)] = self.env["qlibra.profitability.report"]._read_group(
            [
                ("partner_id", "=", self.alpha.id),
                ("date", ">=", date(2025, 1, 1)),
                ("date", "<=", date(2025, 4, 1)),
            ],
            [],
            ["invoiced:sum", "to_invoice:sum"],
        )
        self.assertEqual((alpha["invoiced"], alpha["to_invoice"]), (1030.0, 50.0))
        self.assertEqual((invoiced, to_invoice), (1030.0, 50.0))

    def test_invoiced_client_without_time_is_listed(self):
        payer = self.env["res.partner"].create(
            {"name": "Payer Only", "is_company": True}
        )
        self._invoice(payer, date(2025, 3, 3), 70.0)
        values = self._values(self.env["res.partner"])
        clients = {client["partner"]: client for client in values["clients"]}
        self.assertEqual(clients[payer]["invoiced"], 70.0)
        self.assertEqual(clients[payer]["to_invoice"], -70.0)

    def test_pdf(self):
        text = self._render_pdf_text(
            PROFITABILITY, self.clients, data=MARCH, user=self.manager
        )
        # The report's own tables are unchanged.
        self.assertIn("Total 33.25 $ 1,661.25 $ 3,668.75 $ 2,007.50", text)
        self.assertIn("Earned vs Invoiced", text)
        self.assertIn("Alpha Trade $ 480.00 $ 350.00 $ 130.00 To invoice 72.9", text)
        self.assertIn(
            "Beta Advice $ 688.75 $ 800.00 $ -111.25 Invoiced ahead 116.2", text
        )
        self.assertIn("Delta Dental $ 0.00 $ 100.00 $ -100.00 Invoiced ahead", text)
        self.assertIn("Total $ 3,668.75 $ 1,250.00 $ 2,418.75 To invoice 34.1", text)
        self.assertIn("Earned vs Invoiced per Month", text)
        self.assertIn("Mar 2025 $ 3,668.75 $ 1,250.00 $ 2,418.75", text)

    def test_xlsx(self):
        formulas, cached = self._render_xlsx(
            PROFITABILITY_XLSX, self.clients, data=MARCH, user=self.manager
        )
        sheet, values = formulas["Clients"], cached["Clients"]
        header = [cell.value for cell in sheet[4]]
        columns = {
            key: header.index(title) + 1
            for key, title in (
                ("revenue", "Revenue"),
                ("invoiced", "Invoiced"),
                ("to_invoice", "To Invoice"),
                ("status", "Invoicing"),
                ("realization", "Realization (%)"),
            )
        }
        # The report's own columns keep their places.
        self.assertEqual(header[5], "Revenue")
        self.assertEqual(header[7], "Margin (%)")
        alpha = self._find_row(sheet, 0, "Alpha Trade")[0].row
        revenue = sheet.cell(alpha, columns["revenue"]).coordinate
        invoiced = sheet.cell(alpha, columns["invoiced"]).coordinate
        to_invoice = sheet.cell(alpha, columns["to_invoice"]).coordinate
        self.assertEqual(sheet.cell(alpha, columns["invoiced"]).value, 350.0)
        self.assertEqual(
            sheet.cell(alpha, columns["to_invoice"]).value, f"={revenue}-{invoiced}"
        )
        self.assertEqual(values.cell(alpha, columns["to_invoice"]).value, 130.0)
        self.assertIn(
            f"ROUND({to_invoice},2)>0", sheet.cell(alpha, columns["status"]).value
        )
        self.assertEqual(values.cell(alpha, columns["status"]).value, "To invoice")
        self.assertEqual(
            sheet.cell(alpha, columns["realization"]).value,
            f'=IF({revenue}=0,"",{invoiced}/{revenue})',
        )
        self.assertAlmostEqual(
            values.cell(alpha, columns["realization"]).value, 350.0 / 480.0
        )
        beta = self._find_row(sheet, 0, "Beta Advice")[0].row
        self.assertEqual(values.cell(beta, columns["status"]).value, "Invoiced ahead")
        total = self._find_row(sheet, 0, "Total")[0].row
        self.assertTrue(
            sheet.cell(total, columns["invoiced"]).value.startswith("=SUM(")
        )
        self.assertEqual(values.cell(total, columns["invoiced"]).value, 1250.0)
        self.assertEqual(values.cell(total, columns["to_invoice"]).value, 2418.75)
        trend = formulas["Trend"]
        header = [cell.value for cell in trend[1]]
        self.assertIn("Invoiced", header)
        self.assertEqual(trend["A2"].value, datetime(2025, 3, 1))


@tagged("post_install", "-at_install")
class TestStatementInvoices(QlibraAccountCommon):
    def _statement(self, partner, data=MARCH):
        return (
            self.env["report.qlibra_task_reports.report_client_statement"]
            .with_user(self.accountant)
            ._get_report_values(partner.ids, data)["statements"][partner.id]
        )

    def test_invoices_of_the_period(self):
        statement = self._statement(self.alpha)
        self.assertEqual(
            [
                (i["name"], i["date"], i["move_type"], i["type_label"], i["amount"])
                for i in statement["invoices"]
            ],
            [
                (
                    self.invoice_alpha.name,
                    date(2025, 3, 5),
                    "out_invoice",
                    "Customer Invoice",
                    400.0,
                ),
                (
                    self.refund_alpha.name,
                    date(2025, 3, 20),
                    "out_refund",
                    "Customer Credit Note",
                    -50.0,
                ),
            ],
        )
        self.assertEqual(statement["invoiced"], 350.0)
        self.assertFalse(statement["invoices"][0]["foreign_currency"])
        # The same figure as the analysis for the client and month.
        [(invoiced,)] = self.env["qlibra.profitability.report"]._read_group(
            [("partner_id", "=", self.alpha.id), ("date", "=", date(2025, 3, 1))],
            [],
            ["invoiced:sum"],
        )
        self.assertEqual(statement["invoiced"], invoiced)

    def test_foreign_currency(self):
        [invoice] = self._statement(self.beta)["invoices"]
        self.assertTrue(invoice["foreign_currency"])
        self.assertEqual(invoice["currency"], self.foreign)
        self.assertEqual(
            (invoice["amount_currency"], invoice["amount"]), (1600.0, 800.0)
        )

    def test_invoices_only_is_not_empty(self):
        data = {"date_from": "2025-04-01", "date_to": "2025-04-30"}
        statement = self._statement(self.alpha, data)
        self.assertFalse(statement["lines"])
        self.assertFalse(statement["is_empty"])
        self.assertEqual(statement["invoiced"], 480.0)
        statement = self._statement(self.gamma)
        self.assertEqual((statement["invoices"], statement["invoiced"]), ([], 0))

    def test_pdf(self):
        text = self._render_pdf_text(
            STATEMENT, self.alpha | self.beta, data=MARCH, user=self.accountant
        )
        self.assertEqual(text.count("Invoices of the Period"), 2)
        self.assertIn(
            f"03/05/2025 {self.invoice_alpha.name} Customer Invoice $ 400.00", text
        )
        self.assertIn(
            f"03/20/2025 {self.refund_alpha.name} Customer Credit Note $ -50.00", text
        )
        self.assertIn("Total invoiced $ 350.00", text)
        self.assertIn(f"{self.invoice_beta.name} Customer Invoice", text)
        self.assertIn("$ 800.00", text)
        self.assertIn("Total invoiced $ 800.00", text)
        # The draft of 999 is not listed.
        self.assertNotIn("999.00", text)
        for word in ("Cost", "Margin"):
            self.assertNotIn(word, text)

    def test_xlsx(self):
        formulas, cached = self._render_xlsx(
            STATEMENT_XLSX, self.alpha | self.gamma, data=MARCH, user=self.accountant
        )
        sheet = formulas["Alpha Trade"]
        title = self._find_row(sheet, 0, "Invoices of the Period")[0].row
        self.assertEqual(
            [cell.value for cell in sheet[title + 1]][:6],
            [
                "Date",
                "Number",
                "Type",
                "Invoice Currency",
                "Untaxed Amount in Invoice Currency",
                "Untaxed Amount",
            ],
        )
        first = [cell.value for cell in sheet[title + 2]][:6]
        self.assertEqual(
            first,
            [
                datetime(2025, 3, 5),
                self.invoice_alpha.name,
                "Customer Invoice",
                self.currency.name,
                400.0,
                400.0,
            ],
        )
        self.assertEqual(sheet.cell(title + 3, 6).value, -50.0)
        total = self._find_row(sheet, 0, "Total invoiced")[0].row
        self.assertEqual(sheet.cell(total, 6).value, f"=SUM(F{title + 2}:F{title + 3})")
        self.assertEqual(cached["Alpha Trade"].cell(total, 6).value, 350.0)
        # No invoice, no table.
        with self.assertRaises(AssertionError):
            self._find_row(formulas["Gamma Build"], 0, "Invoices of the Period")
