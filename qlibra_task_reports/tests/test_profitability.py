# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MARCH, QlibraReportsCommon

PROFITABILITY = "qlibra_task_reports.action_report_profitability"
PROFITABILITY_XLSX = "qlibra_task_reports.action_report_profitability_xlsx"


@tagged("post_install", "-at_install")
class TestProfitabilityReport(QlibraReportsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clients = cls.alpha | cls.beta | cls.gamma | cls.delta

    def _values(self, partners, data=None):
        """Report values as the user of the test; data=None: March 2025."""
        data = MARCH if data is None else data
        return (
            self.env["report.qlibra_task_reports.report_profitability"]
            .with_user(self.manager)
            ._get_report_values(partners.ids, data)
        )

    def test_data(self):
        values = self._values(self.clients)
        clients = {client["partner"]: client for client in values["clients"]}
        alpha = clients[self.alpha]
        self.assertEqual(alpha["hours"], 13.5)
        self.assertAlmostEqual(alpha["cost"], 647.5)
        self.assertAlmostEqual(alpha["revenue"], 480.0)
        self.assertAlmostEqual(alpha["margin"], -167.5)
        self.assertAlmostEqual(alpha["margin_percent"], -167.5 / 480 * 100)
        self.assertAlmostEqual(alpha["effective_rate"], 480 / 13.5)
        self.assertAlmostEqual(alpha["consumption_percent"], 135.0)
        self.assertAlmostEqual(alpha["change_request_share"], 2 / 13.5 * 100)
        # January to March: revenue 200 + 200 + 480, cost 647.5: 26.4% < 30%.
        self.assertAlmostEqual(alpha["trailing_margin_percent"], 232.5 / 880 * 100)
        self.assertTrue(alpha["to_renegotiate"])
        # 647.5 / 3 / 0.7 = 308.33, rounded up to a whole 10.
        self.assertEqual(alpha["suggested_fee"], 310.0)
        beta = clients[self.beta]
        self.assertAlmostEqual(beta["revenue"], 688.75)
        self.assertAlmostEqual(beta["cost"], 391.25)
        self.assertFalse(beta["to_renegotiate"])
        self.assertIsNone(beta["consumption_percent"])
        gamma = clients[self.gamma]
        self.assertAlmostEqual(gamma["revenue"], 2500.0)
        self.assertAlmostEqual(gamma["cost"], 555.0)
        self.assertAlmostEqual(gamma["change_request_share"], 3 / 11 * 100)
        delta = clients[self.delta]
        self.assertAlmostEqual(delta["cost"], 67.5)
        self.assertIsNone(delta["margin_percent"])
        self.assertFalse(delta["to_renegotiate"])
        totals = values["totals"]
        self.assertAlmostEqual(totals["hours"], 33.25)
        self.assertAlmostEqual(totals["cost"], 1661.25)
        self.assertAlmostEqual(totals["revenue"], 3668.75)
        self.assertAlmostEqual(totals["margin"], 2007.5)
        self.assertEqual([m["month"] for m in values["trend"]], [date(2025, 3, 1)])

    def test_trend_over_quarter(self):
        values = self._values(
            self.alpha, {"date_from": "2025-01-01", "date_to": "2025-03-31"}
        )
        (alpha,) = values["clients"]
        self.assertEqual(
            [(m["month"].month, m["revenue"], m["cost"]) for m in alpha["trend"]],
            [(1, 200.0, 0.0), (2, 200.0, 0.0), (3, 480.0, 647.5)],
        )
        self.assertAlmostEqual(alpha["revenue"], 880.0)

    def test_pdf(self):
        text = self._render_pdf_text(
            PROFITABILITY, self.clients, data=MARCH, user=self.manager
        )
        self.assertIn("Client Profitability", text)
        self.assertIn(
            "Subscription 13.50 $ 647.50 $ 480.00 $ -167.50 -34.9 $ 35.56 135.0 "
            "14.8 Yes $ 310.00",
            text,
        )
        self.assertIn("Hourly 7.25 $ 391.25 $ 688.75 $ 297.50 43.2 $ 95.00", text)
        self.assertIn("Total 33.25 $ 1,661.25 $ 3,668.75 $ 2,007.50", text)
        self.assertIn("Month-by-month Trend", text)
        self.assertIn("Mar 2025", text)

    def test_archived_contract_keeps_its_terms(self):
        """Archiving ends a contract, but the report of the months it ran
        still shows its type, the renegotiation flag and the suggested fee
        (SPEC, Lifecycle), in the PDF and the Excel alike."""
        self.contract_alpha.with_user(self.manager).action_archive()
        self.assertFalse(self.contract_alpha.active)
        values = self._values(self.alpha)
        (alpha,) = values["clients"]
        self.assertEqual(alpha["contract"], self.contract_alpha)
        self.assertEqual(alpha["contract_type_label"], "Subscription")
        self.assertEqual(alpha["target_margin"], 30.0)
        self.assertTrue(alpha["to_renegotiate"])
        self.assertEqual(alpha["suggested_fee"], 310.0)
        text = self._render_pdf_text(
            PROFITABILITY, self.alpha, data=MARCH, user=self.manager
        )
        self.assertIn("14.8 Yes $ 310.00", text)
        formulas, _values = self._render_xlsx(
            PROFITABILITY_XLSX, self.alpha, data=MARCH, user=self.manager
        )
        row = self._find_row(formulas["Clients"], 0, "Alpha Trade")
        self.assertEqual(row[1].value, "Subscription")
        self.assertIn(310.0, [cell.value for cell in row])

    def test_accountant_cannot_render(self):
        Report = self.env["report.qlibra_task_reports.report_profitability"]
        with self.assertRaises(AccessError):
            Report.with_user(self.accountant)._get_report_values(
                self.clients.ids, MARCH
            )
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.accountant).with_context(
                force_report_rendering=True
            )._render_qweb_pdf(PROFITABILITY, self.clients.ids, data=MARCH)
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.accountant)._render_xlsx(
                PROFITABILITY_XLSX, self.clients.ids, MARCH
            )
        action = self.env.ref(PROFITABILITY)
        self.assertEqual(
            action.groups_id, self.env.ref("qlibra_task.group_qlibra_manager")
        )

    def test_xlsx(self):
        formulas, values = self._render_xlsx(
            PROFITABILITY_XLSX, self.clients, data=MARCH, user=self.manager
        )
        sheet, cached = formulas["Clients"], values["Clients"]
        self.assertEqual(sheet.freeze_panes, "A5")
        self.assertTrue(sheet.auto_filter.ref.startswith("A4:"))
        header = [cell.value for cell in sheet[4]]
        self.assertEqual(
            header[:7],
            [
                "Client",
                "Contract Type",
                "Hours",
                "Change-request Hours",
                "Cost",
                "Revenue",
                "Margin",
            ],
        )
        alpha = self._find_row(sheet, 0, "Alpha Trade")
        row = alpha[0].row
        self.assertEqual(alpha[2].value, 13.5)
        self.assertEqual(alpha[4].value, 647.5)
        self.assertEqual(alpha[5].value, 480.0)
        self.assertEqual(alpha[6].value, f"=F{row}-E{row}")
        self.assertEqual(cached.cell(row, 7).value, -167.5)
        self.assertEqual(alpha[7].number_format, "0.0%")
        self.assertIn(f"F{row}=0", alpha[7].value)
        total = self._find_row(sheet, 0, "Total")
        self.assertEqual(total[2].value, "=SUM(C5:C8)")
        self.assertEqual(total[4].value, "=SUM(E5:E8)")
        self.assertEqual(cached.cell(total[0].row, 5).value, 1661.25)
        self.assertEqual(cached.cell(total[0].row, 6).value, 3668.75)
        trend = formulas["Trend"]
        self.assertEqual(trend["A2"].value, datetime(2025, 3, 1))
        self.assertEqual(trend.freeze_panes, "A2")
