# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A statement bills what the analysis shows for the same client and
months, to the cent (issue on trustworthy figures, one test per example)."""

from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import QlibraReportsCommon

STATEMENT = "report.qlibra_task_reports.report_client_statement"


@tagged("post_install", "-at_install")
class TestStatementAgrees(QlibraReportsCommon):
    def _statement(self, partner, date_from, date_to):
        values = (
            self.env[STATEMENT]
            .with_user(self.accountant)
            ._get_report_values(
                partner.ids, {"date_from": date_from, "date_to": date_to}
            )
        )
        return values["statements"][partner.id]

    def _amount(self, statement):
        """The statement's total, of its only currency."""
        (total,) = statement["totals"]
        return total["amount"]

    def _analysis_revenue(self, partner, date_from, date_to):
        self.env.flush_all()
        rows = self.env["qlibra.profitability.report"]._read_group(
            [
                ("partner_id", "=", partner.id),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
            ],
            [],
            ["revenue:sum"],
        )
        return rows[0][0]

    def test_hourly_amount_is_the_sum_of_the_lines(self):
        """Revenue is rounded per line: 3 x 0.5 h at 33.33 is 3 x 16.67 =
        50.01, not 1.5 x 33.33 = 50.00 (49.995)."""
        self.contract_beta.hourly_rate = 33.33
        self.lines.filtered(lambda line: line.task_id == self.task[self.beta]).unlink()
        self._log(
            [
                (self.task[self.beta], self.employee_a, date(2025, 3, day), 0.5, "Q")
                for day in (3, 4, 5)
            ]
        )
        statement = self._statement(self.beta, "2025-03-01", "2025-03-31")
        analysis = self._analysis_revenue(self.beta, "2025-03-01", "2025-03-31")
        self.assertAlmostEqual(analysis, 50.01)
        self.assertAlmostEqual(self._amount(statement), analysis)
        # the spreadsheet too: a value, not hours x rate recomputed by Excel
        formulas, _values = self._render_xlsx(
            "qlibra_task_reports.action_report_client_statement_xlsx",
            self.beta,
            data={"date_from": "2025-03-01", "date_to": "2025-03-31"},
            user=self.accountant,
        )
        worked = self._find_row(formulas["Beta Advice"], 1, "Hours worked")
        self.assertEqual(worked[7].value, 50.01)

    def test_fixed_price_done_after_the_contract_ended(self):
        self.contract_gamma.date_end = date(2025, 3, 31)
        self.task_gamma_closing.write(
            {"state": "1_done", "qlibra_date_done": date(2025, 4, 8)}
        )
        statement = self._statement(self.gamma, "2025-04-01", "2025-04-30")
        self.assertAlmostEqual(
            self._analysis_revenue(self.gamma, "2025-04-01", "2025-04-30"), 2500.0
        )
        self.assertAlmostEqual(self._amount(statement), 2500.0)
        (section,) = [s for s in statement["sections"] if s["deliveries"]]
        self.assertEqual(section["deliveries"][0]["task"], "Annual closing")

    def test_archived_subscription_keeps_its_past(self):
        with self.env.cr.savepoint():
            self.contract_alpha.date_end = date(2025, 3, 31)
            self.contract_alpha.action_archive()
        statement = self._statement(self.alpha, "2025-03-01", "2025-03-31")
        analysis = self._analysis_revenue(self.alpha, "2025-03-01", "2025-03-31")
        # 200 fee + (13.5 - 10) h x 80 overage.
        self.assertAlmostEqual(analysis, 480.0)
        self.assertAlmostEqual(self._amount(statement), analysis)

    def test_each_client_and_month_equals_the_analysis(self):
        for partner in (self.alpha, self.beta, self.gamma, self.delta):
            for date_from, date_to in (
                ("2025-03-01", "2025-03-31"),
                ("2025-01-01", "2025-03-31"),
                ("2025-04-01", "2025-04-30"),
            ):
                with self.subTest(client=partner.name, period=date_from):
                    statement = self._statement(partner, date_from, date_to)
                    self.assertAlmostEqual(
                        self._amount(statement),
                        self._analysis_revenue(partner, date_from, date_to),
                        places=2,
                    )

    def test_amounts_per_currency_never_added(self):
        """A client with a contract in the company's currency and one in
        another: one total per currency, each equal to what the analysis
        shows in the contract's currency; the analysis converts the other
        currency at the rate of the month."""
        foreign = self.env.ref("base.EUR")
        if foreign == self.currency:
            foreign = self.env.ref("base.USD")
        foreign.active = True
        self.env["res.currency.rate"].search(
            [("currency_id", "in", (foreign + self.currency).ids)]
        ).unlink()
        self.env["res.currency.rate"].create(
            {
                "currency_id": foreign.id,
                "name": "2025-01-01",
                "rate": 2.0,
                "company_id": False,
            }
        )
        euro = self.env["qlibra.contract"].create(
            {
                "name": "Advisory in another currency",
                "partner_id": self.alpha.id,
                "contract_type": "fixed_price",
                "date_start": "2025-03-01",
                "currency_id": foreign.id,
                # its own project: the subscription keeps the rest
                "project_ids": [
                    Command.create({"name": "Advisory", "partner_id": self.alpha.id})
                ],
            }
        )
        project = euro.project_ids
        self.env["project.task"].create(
            {
                "name": "Valuation",
                "project_id": project.id,
                "qlibra_fixed_price": 1000.0,
                "state": "1_done",
                "qlibra_date_done": "2025-03-20",
            }
        )
        statement = self._statement(self.alpha, "2025-03-01", "2025-03-31")
        totals = {t["currency"]: t["amount"] for t in statement["totals"]}
        self.assertEqual(list(totals), [self.currency, foreign])
        # 200 fee + 3.5 extra hours x 80 in the company's currency
        self.assertAlmostEqual(totals[self.currency], 480.0)
        self.assertAlmostEqual(totals[foreign], 1000.0)
        (section,) = [s for s in statement["sections"] if s["contract"] == euro]
        self.assertEqual(section["currency"], foreign)
        # the analysis: 1000 of the foreign currency at 2 per unit of the
        # company's is 500 of the company's
        self.assertAlmostEqual(
            self._analysis_revenue(self.alpha, "2025-03-01", "2025-03-31"), 980.0
        )
        rows = self.env["qlibra.profitability.report"]._read_group(
            [("contract_id", "=", euro.id)],
            ["contract_currency_id"],
            ["contract_revenue:sum"],
        )
        self.assertEqual(rows, [(foreign, 1000.0)])
        # the PDF and the spreadsheet show both totals, each in its currency
        text = self._render_pdf_text(
            "qlibra_task_reports.action_report_client_statement",
            self.alpha,
            {"date_from": "2025-03-01", "date_to": "2025-03-31"},
            user=self.accountant,
        )
        self.assertIn(f"Total amount ({foreign.name})", text)
        self.assertIn(f"Total amount ({self.currency.name})", text)
        formulas, values = self._render_xlsx(
            "qlibra_task_reports.action_report_client_statement_xlsx",
            self.alpha,
            data={"date_from": "2025-03-01", "date_to": "2025-03-31"},
            user=self.accountant,
        )
        sheet, cached = formulas["Alpha Trade"], values["Alpha Trade"]
        titles = [
            row[0].value
            for row in sheet.iter_rows()
            if str(row[0].value or "").startswith("Billing")
        ]
        self.assertEqual(
            titles, [f"Billing ({self.currency.name})", f"Billing ({foreign.name})"]
        )
        # each table its own total, in its own currency format
        totals = [row for row in sheet.iter_rows() if row[0].value == "Total amount"]
        self.assertEqual(
            [cached.cell(row[7].row, 8).value for row in totals], [480.0, 1000.0]
        )
        self.assertIn(foreign.symbol, totals[1][7].number_format)
