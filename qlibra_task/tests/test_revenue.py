# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import fields
from odoo.tests import tagged

from .common import QlibraCase, month


@tagged("post_install", "-at_install", "qlibra_sales")
class TestRevenue(QlibraCase):
    """Revenue rules of each contract type, read from the analysis view."""

    def _by_month(self, contract, fields=("hours", "cost", "revenue", "margin")):
        return self._sums(
            [("contract_id", "=", contract.id)], groupby=["date:month"], fields=fields
        )

    def test_subscription_fee_pro_rata_and_absorbed_overage(self):
        contract = self._contract(
            self.client,
            "subscription",
            date(2025, 1, 11),
            date(2025, 3, 15),
            monthly_fee=3100.0,
            included_hours=10.0,
            overage_rate=0.0,
        )
        task = self._task(self._project(self.client, contract))
        # 12 hours in February: 2 above the included hours, absorbed.
        self._log(task, self.senior, date(2025, 2, 3), 8.0)
        self._log(task, self.junior, date(2025, 2, 4), 4.0)
        months = self._by_month(contract)
        self.assertEqual(
            sorted(months), [month(2025, 1), month(2025, 2), month(2025, 3)]
        )
        # January: 21 of 31 days; March: 15 of 31 days.
        self.assertAlmostEqual(months[month(2025, 1)]["revenue"], 2100.0)
        self.assertAlmostEqual(months[month(2025, 2)]["revenue"], 3100.0)
        self.assertAlmostEqual(months[month(2025, 3)]["revenue"], 1500.0)
        # February cost: (8 x 50 + 4 x 25) x 1.2
        self.assertAlmostEqual(months[month(2025, 2)]["cost"], 600.0)
        self.assertAlmostEqual(months[month(2025, 2)]["margin"], 2500.0)

    def test_subscription_overage(self):
        contract = self._contract(
            self.client,
            "subscription",
            date(2025, 1, 1),
            date(2025, 2, 28),
            monthly_fee=1000.0,
            included_hours=10.0,
            overage_rate=60.0,
        )
        task = self._task(self._project(self.client, contract))
        self._log(task, self.junior, date(2025, 1, 10), 13.5)
        self._log(task, self.junior, date(2025, 2, 10), 9.0)
        months = self._by_month(contract)
        self.assertAlmostEqual(months[month(2025, 1)]["revenue"], 1000.0 + 3.5 * 60)
        self.assertAlmostEqual(months[month(2025, 2)]["revenue"], 1000.0)
        rows = self._sums(
            [("contract_id", "=", contract.id)],
            groupby=["row_type"],
            fields=["revenue"],
        )
        self.assertAlmostEqual(rows["overage"]["revenue"], 210.0)
        self.assertAlmostEqual(rows["fee"]["revenue"], 2000.0)

    def test_open_ended_subscription_stops_at_current_month(self):
        today = date.today()
        start = today.replace(day=1, year=today.year - 1)
        contract = self._contract(
            self._client("Open"),
            "subscription",
            start,
            monthly_fee=100.0,
            included_hours=1.0,
        )
        months = self._by_month(contract, fields=["revenue"])
        self.assertEqual(len(months), 13)
        self.assertEqual(max(months), today.replace(day=1))

    def test_hourly_includes_change_requests(self):
        contract = self._contract(
            self.client, "hourly", date(2025, 1, 1), hourly_rate=90.0
        )
        project = self._project(self.client, contract)
        task = self._task(project)
        cr_task = self._task(project, name="Change", qlibra_is_change_request=True)
        self._log(task, self.senior, date(2025, 4, 1), 2.0)
        self._log(cr_task, self.junior, date(2025, 4, 2), 1.5)
        totals = self._sums(
            [("contract_id", "=", contract.id)],
            fields=("hours", "change_request_hours", "cost", "revenue", "margin"),
        )
        self.assertEqual(totals["hours"], 3.5)
        self.assertEqual(totals["change_request_hours"], 1.5)
        self.assertAlmostEqual(totals["revenue"], 315.0)
        self.assertAlmostEqual(totals["cost"], (100.0 + 37.5) * 1.2)
        self.assertAlmostEqual(totals["margin"], 315.0 - 165.0)

    def test_fixed_price_recognised_when_done(self):
        contract = self._contract(self.client, "fixed_price", date(2025, 1, 1))
        project = self._project(self.client, contract)
        job = self._task(project, name="Annual closing", qlibra_fixed_price=2000.0)
        change = self._task(
            project, name="Extra", parent_id=job.id, qlibra_is_change_request=True
        )
        self._log(job, self.senior, date(2025, 2, 10), 10.0)
        self._log(change, self.junior, date(2025, 3, 5), 8.0)
        # Work in progress: cost, no revenue, a projected margin on the task.
        months = self._by_month(contract)
        self.assertEqual(sum(m["revenue"] for m in months.values()), 0.0)
        self.assertAlmostEqual(sum(m["cost"] for m in months.values()), 840.0)
        job_as_manager = job.with_user(self.manager_user)
        self.assertAlmostEqual(job_as_manager.qlibra_cost, 840.0)
        self.assertAlmostEqual(job_as_manager.qlibra_projected_margin, 1160.0)
        self.assertAlmostEqual(job_as_manager.qlibra_price_consumed, 42.0)
        self.assertEqual(job_as_manager.qlibra_change_request_hours, 8.0)
        self.assertEqual(job_as_manager.qlibra_change_request_count, 1)
        # Done on 15 April: the price is revenue of April.
        job.write({"state": "1_done", "qlibra_date_done": date(2025, 4, 15)})
        months = self._by_month(contract)
        self.assertAlmostEqual(months[month(2025, 4)]["revenue"], 2000.0)
        self.assertAlmostEqual(months[month(2025, 4)]["cost"], 0.0)
        job_as_manager.invalidate_recordset()
        self.assertAlmostEqual(job_as_manager.qlibra_revenue, 2000.0)
        self.assertAlmostEqual(job_as_manager.qlibra_margin, 1160.0)

    def test_projected_margin_uses_allocated_hours(self):
        contract = self._contract(self.client, "fixed_price", date(2025, 1, 1))
        job = self._task(
            self._project(self.client, contract),
            qlibra_fixed_price=1000.0,
            allocated_hours=20.0,
        )
        self._log(job, self.junior, date(2025, 2, 10), 5.0)
        job = job.with_user(self.manager_user)
        # 5 h cost 150; 15 h to go at 30/h: 450 more.
        self.assertAlmostEqual(job.qlibra_cost, 150.0)
        self.assertAlmostEqual(job.qlibra_projected_margin, 1000.0 - 600.0)

    def test_done_date_set_when_task_is_done(self):
        contract = self._contract(self.client, "fixed_price", date(2025, 1, 1))
        job = self._task(self._project(self.client, contract), qlibra_fixed_price=10)
        self.assertFalse(job.qlibra_date_done)
        job.state = "1_done"
        self.assertEqual(job.qlibra_date_done, fields.Date.context_today(job))
        # Reopened, the task keeps the day its price was recognised.
        job.state = "01_in_progress"
        self.assertEqual(job.qlibra_date_done, fields.Date.context_today(job))

    def test_non_billable_has_no_revenue(self):
        contract = self._contract(
            self._client("Internal"), "non_billable", date(2025, 1, 1), target_margin=0
        )
        task = self._task(self._project(contract.partner_id, contract))
        self._log(task, self.senior, date(2025, 2, 10), 3.0)
        totals = self._sums([("contract_id", "=", contract.id)])
        self.assertEqual(totals["revenue"], 0.0)
        self.assertAlmostEqual(totals["cost"], 180.0)
        self.assertAlmostEqual(totals["margin"], -180.0)

    def test_renegotiated_subscription_keeps_past_terms(self):
        client = self._client("Renegotiated")
        old = self._contract(
            client,
            "subscription",
            date(2025, 1, 1),
            monthly_fee=1000.0,
            included_hours=10.0,
        )
        new = self._contract(
            client,
            "subscription",
            date(2025, 3, 16),
            date(2025, 4, 30),
            monthly_fee=1550.0,
            included_hours=12.0,
            previous_contract_id=old.id,
        )
        self.assertEqual(old.date_end, date(2025, 3, 15))
        revenue = self._sums(
            [("partner_id", "=", client.id)], groupby=["date:month"], fields=["revenue"]
        )
        self.assertAlmostEqual(revenue[month(2025, 1)]["revenue"], 1000.0)
        self.assertAlmostEqual(revenue[month(2025, 2)]["revenue"], 1000.0)
        # March: 15/31 of the old fee plus 16/31 of the new one.
        self.assertAlmostEqual(
            revenue[month(2025, 3)]["revenue"], 1000.0 * 15 / 31 + 1550.0 * 16 / 31
        )
        self.assertAlmostEqual(revenue[month(2025, 4)]["revenue"], 1550.0)
        self.assertEqual(new.previous_contract_id, old)
