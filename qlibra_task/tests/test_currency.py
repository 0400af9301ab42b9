# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import QlibraCase, month


@tagged("post_install", "-at_install")
class TestContractCurrency(QlibraCase):
    """A contract billed in another currency than the company's: its fees,
    rates and prices are in its currency; the analysis converts its revenue
    to the company's at Odoo's rate of each month's first day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_currency = cls.company.currency_id
        cls.foreign = cls.env.ref("base.EUR")
        if cls.foreign == cls.company_currency:
            cls.foreign = cls.env.ref("base.USD")
        cls.foreign.active = True
        # Rates of this test only: 1 unit of the company's currency buys 0.9
        # from January 2025, 0.8 from February, and 0.5 in this company only
        # from March (a company's own rate before the shared one).
        Rate = cls.env["res.currency.rate"]
        Rate.search(
            [("currency_id", "in", (cls.foreign + cls.company_currency).ids)]
        ).unlink()
        Rate.create(
            [
                {
                    "currency_id": cls.foreign.id,
                    "name": "2025-01-01",
                    "rate": 0.9,
                    "company_id": False,
                },
                {
                    "currency_id": cls.foreign.id,
                    "name": "2025-02-01",
                    "rate": 0.8,
                    "company_id": False,
                },
                {
                    "currency_id": cls.foreign.id,
                    "name": "2025-03-01",
                    "rate": 0.6,
                    "company_id": False,
                },
                {
                    "currency_id": cls.foreign.id,
                    "name": "2025-03-01",
                    "rate": 0.5,
                    "company_id": cls.company.id,
                },
            ]
        )
        cls.client_eur = cls._client("Euro Client")

    def _converted(self, amount, day):
        """Odoo's own conversion, the reference."""
        return self.foreign._convert(
            amount, self.company_currency, self.company, day, round=False
        )

    def test_contract_currency_defaults_to_company(self):
        contract = self._contract(self.client_eur, "hourly", month(2025, 1))
        self.assertEqual(contract.currency_id, self.company_currency)

    def test_hourly_revenue_in_contract_currency_converted_in_analysis(self):
        contract = self._contract(
            self.client_eur,
            "hourly",
            month(2025, 1),
            currency_id=self.foreign.id,
            hourly_rate=90.0,
        )
        task = self._task(self._project(self.client_eur, contract))
        january = self._log(task, self.senior, date(2025, 1, 15), 2.0)
        february = self._log(task, self.senior, date(2025, 2, 3), 1.0)
        march = self._log(task, self.senior, date(2025, 3, 20), 1.0)
        self.assertEqual(january.qlibra_revenue, 180.0)
        self.assertEqual(january.qlibra_revenue_currency_id, self.foreign)
        sums = self._sums(
            [("contract_id", "=", contract.id)],
            ["date:month"],
            ("revenue", "contract_revenue", "cost", "margin"),
        )
        expected = {
            month(2025, 1): (180.0, 180.0 / 0.9, january),
            month(2025, 2): (90.0, 90.0 / 0.8, february),
            # the company's own rate, not the shared one
            month(2025, 3): (90.0, 90.0 / 0.5, march),
        }
        for day, (billed, converted, line) in expected.items():
            figures = sums[day]
            self.assertAlmostEqual(figures["contract_revenue"], billed)
            self.assertAlmostEqual(figures["revenue"], converted)
            self.assertAlmostEqual(figures["revenue"], self._converted(billed, day))
            self.assertAlmostEqual(figures["cost"], line.qlibra_cost)
            self.assertAlmostEqual(figures["margin"], converted - line.qlibra_cost)
        row = self.Report.search(
            [("contract_id", "=", contract.id), ("date", "=", month(2025, 1))]
        )
        self.assertEqual(row.contract_currency_id, self.foreign)
        self.assertEqual(row.currency_id, self.company_currency)

    def test_fee_overage_and_fixed_price_converted(self):
        subscription = self._contract(
            self.client_eur,
            "subscription",
            month(2025, 1),
            month(2025, 2).replace(day=28),
            currency_id=self.foreign.id,
            monthly_fee=900.0,
            included_hours=1.0,
            overage_rate=50.0,
        )
        task = self._task(self._project(self.client_eur, subscription))
        self._log(task, self.junior, date(2025, 2, 10), 3.0)
        sums = self._sums(
            [("contract_id", "=", subscription.id)],
            ["date:month", "row_type"],
            ("revenue", "contract_revenue"),
        )
        self.assertAlmostEqual(sums[(month(2025, 1), "fee")]["revenue"], 1000.0)
        self.assertAlmostEqual(sums[(month(2025, 2), "fee")]["revenue"], 900 / 0.8)
        self.assertAlmostEqual(
            sums[(month(2025, 2), "overage")]["contract_revenue"], 100
        )
        self.assertAlmostEqual(sums[(month(2025, 2), "overage")]["revenue"], 125.0)

        other = self._client("Euro Fixed")
        fixed = self._contract(
            other, "fixed_price", month(2025, 1), currency_id=self.foreign.id
        )
        job = self._task(self._project(other, fixed), "Job", qlibra_fixed_price=800.0)
        self.assertEqual(job.qlibra_price_currency_id, self.foreign)
        self._log(job, self.senior, date(2025, 2, 4), 4.0)
        with freeze_time("2025-02-20"):
            job.qlibra_date_done = date(2025, 2, 20)
            job.invalidate_recordset()
            # the task's figures in the company's currency, as the analysis
            self.assertAlmostEqual(job.qlibra_revenue, 1000.0)
            cost = job.qlibra_cost
            self.assertAlmostEqual(job.qlibra_margin, 1000.0 - cost)
            self.assertAlmostEqual(job.qlibra_price_consumed, cost / 1000.0 * 100)
        sums = self._sums([("task_id", "=", job.id), ("row_type", "=", "fixed_price")])
        self.assertAlmostEqual(sums["revenue"], 1000.0)

    def test_line_revenue_rounded_to_contract_currency(self):
        """Both ways of writing a line's revenue (the ORM when it is logged,
        the set-based re-resolution when a contract comes later) round to
        the contract's currency."""
        whole = self.env["res.currency"].create(
            {"name": "QWH", "symbol": "W", "rounding": 1.0}
        )
        project = self._project(self.client_eur)
        task = self._task(project)
        before = self._log(task, self.senior, date(2025, 1, 6), 1.5)
        contract = self._contract(
            self.client_eur,
            "hourly",
            month(2025, 1),
            currency_id=whole.id,
            hourly_rate=333.0,
        )
        self.assertEqual(before.qlibra_contract_id, contract)
        self.assertEqual(before.qlibra_revenue, 500.0)
        after = self._log(task, self.senior, date(2025, 1, 7), 1.5)
        self.assertEqual(after.qlibra_revenue, 500.0)

    def test_currency_fixed_once_time_is_logged(self):
        contract = self._contract(self.client_eur, "hourly", month(2025, 1))
        contract.currency_id = self.foreign
        task = self._task(self._project(self.client_eur, contract))
        self._log(task, self.senior, date(2025, 1, 6), 1.0)
        with self.assertRaisesRegex(UserError, "currency of a contract"):
            contract.currency_id = self.company_currency
        # writing the same currency is no change
        contract.write({"currency_id": self.foreign.id})

    def test_contracts_follow_a_company_currency_change(self):
        """A chart of accounts sets the company's currency after contracts
        exist (the demo's, installed before Invoicing): those in the
        company's currency follow it, priced or with time; others keep
        theirs. (A company of its own: Odoo refuses to change the currency
        of one with journal items.)"""
        company = self.env["res.company"].create(
            {"name": "Firm Being Set Up", "currency_id": self.company_currency.id}
        )
        follows = self._contract(
            self.client_eur, "fixed_price", month(2025, 1), company_id=company.id
        )
        project = self.env["project.project"].create(
            {
                "name": "Set-up job",
                "company_id": company.id,
                "partner_id": self.client_eur.id,
                "qlibra_contract_id": follows.id,
            }
        )
        task = self._task(project, "Priced job", qlibra_fixed_price=500.0)
        other = self._contract(
            self._client("Other"),
            "hourly",
            month(2025, 1),
            company_id=company.id,
            currency_id=self.foreign.id,
        )
        third = self.env["res.currency"].create(
            {"name": "QTH", "symbol": "T", "rounding": 0.01}
        )
        company.currency_id = third
        self.assertEqual(follows.currency_id, third)
        self.assertEqual(task.qlibra_price_currency_id, third)
        self.assertEqual(other.currency_id, self.foreign)
        # a user still cannot change it by hand, priced as it is
        with self.assertRaisesRegex(UserError, "currency of a contract"):
            follows.currency_id = self.foreign

    def test_renegotiation_keeps_currency(self):
        contract = self._contract(
            self.client_eur,
            "subscription",
            month(2025, 1),
            currency_id=self.foreign.id,
            included_hours=10.0,
        )
        action = contract.action_renegotiate()
        self.assertEqual(action["context"]["default_currency_id"], self.foreign.id)

    @freeze_time("2025-04-15")
    def test_client_figures_in_company_currency_fee_in_contract_currency(self):
        """Revenue and cost on the client form are the company's; the fees
        (current and suggested) the contract's."""
        contract = self._contract(
            self.client_eur,
            "subscription",
            month(2025, 1),
            currency_id=self.foreign.id,
            monthly_fee=90.0,
            included_hours=10.0,
            target_margin=50.0,
        )
        task = self._task(self._project(self.client_eur, contract))
        for day in (date(2025, 1, 10), date(2025, 2, 10), date(2025, 3, 10)):
            self._log(task, self.senior, day, 2.0)
        client = self.client_eur.with_user(self.manager_user)
        client.invalidate_recordset()
        revenue = 90 / 0.9 + 90 / 0.8 + 90 / 0.5
        self.assertAlmostEqual(client.qlibra_trailing_revenue, revenue)
        self.assertEqual(client.qlibra_currency_id, self.company_currency)
        self.assertEqual(client.qlibra_fee_currency_id, self.foreign)
        self.assertEqual(client.qlibra_current_fee, 90.0)
        cost = client.qlibra_trailing_cost
        # the average monthly cost in the contract's currency at April's
        # rate (the March company rate, 0.5), over a 50% margin, up to a 10
        monthly = cost / 3 * 0.5
        expected = -(-(monthly / 0.5) // 10) * 10
        self.assertTrue(client.qlibra_to_renegotiate)
        self.assertAlmostEqual(client.qlibra_suggested_fee, expected)
