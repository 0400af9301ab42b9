# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo.tests import tagged

from ..models.res_partner import suggested_fee
from .common import QlibraCase


@tagged("post_install", "-at_install", "qlibra_sales")
class TestPartnerFigures(QlibraCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.this_month = date.today().replace(day=1)
        cls.months_ago = [cls.this_month - relativedelta(months=n) for n in (1, 2, 3)]
        # A subscription client that costs more than its fee.
        cls.contract = cls._contract(
            cls.client,
            "subscription",
            cls.this_month - relativedelta(months=6),
            monthly_fee=1000.0,
            included_hours=20.0,
            target_margin=30.0,
        )
        project = cls._project(cls.client, cls.contract)
        cls.task = cls._task(project)
        cls.cr_task = cls._task(project, name="Extra", qlibra_is_change_request=True)
        for first_day in cls.months_ago:
            # 20 h x 50 x 1.2 = 1200 cost a month, 5 h of it change requests.
            cls._log(cls.task, cls.senior, first_day, 15.0)
            cls._log(cls.cr_task, cls.senior, first_day + relativedelta(days=1), 5.0)
        # This month: 16 of 20 included hours so far.
        cls._log(cls.task, cls.junior, cls.this_month, 16.0)

    def test_figures(self):
        partner = self.client.with_user(self.manager_user)
        self.assertEqual(partner.qlibra_main_contract_id, self.contract)
        self.assertEqual(partner.qlibra_month_hours, 16.0)
        self.assertAlmostEqual(partner.qlibra_month_cost, 480.0)
        self.assertAlmostEqual(partner.qlibra_month_revenue, 1000.0)
        self.assertAlmostEqual(partner.qlibra_month_margin, 520.0)
        self.assertAlmostEqual(partner.qlibra_month_margin_percent, 52.0)
        self.assertAlmostEqual(partner.qlibra_consumption_percent, 80.0)
        self.assertEqual(partner.qlibra_trailing_hours, 60.0)
        self.assertAlmostEqual(partner.qlibra_trailing_cost, 3600.0)
        self.assertAlmostEqual(partner.qlibra_trailing_revenue, 3000.0)
        self.assertAlmostEqual(partner.qlibra_trailing_margin, -600.0)
        self.assertAlmostEqual(partner.qlibra_trailing_margin_percent, -20.0)
        self.assertAlmostEqual(partner.qlibra_change_request_share, 25.0)
        self.assertTrue(partner.qlibra_to_renegotiate)
        self.assertTrue(partner.qlibra_losing_money)
        # 1200 / (1 - 30%) = 1714.29, rounded up to a whole 10.
        self.assertEqual(partner.qlibra_suggested_fee, 1720.0)
        self.assertEqual(partner.qlibra_current_fee, 1000.0)
        self.assertIn(partner, partner.search([("qlibra_to_renegotiate", "=", True)]))

    def test_healthy_client_not_flagged(self):
        self.contract.sudo().monthly_fee = 3000.0
        partner = self.client.with_user(self.manager_user)
        # 9000 revenue, 3600 cost: 60% >= 30%.
        self.assertAlmostEqual(partner.qlibra_trailing_margin_percent, 60.0)
        self.assertFalse(partner.qlibra_to_renegotiate)
        self.assertNotIn(
            partner, partner.search([("qlibra_to_renegotiate", "=", True)])
        )
        self.assertIn(partner, partner.search([("qlibra_to_renegotiate", "=", False)]))

    def test_this_month_excludes_later_months(self):
        """Regression: the client's "this month" figures counted every month
        from the trailing window on, time logged ahead included."""
        self._log(
            self.task, self.junior, self.this_month + relativedelta(months=1), 9.0
        )
        self._log(
            self.task, self.junior, self.this_month + relativedelta(months=3), 4.0
        )
        partner = self.client.with_user(self.manager_user)
        self.assertEqual(partner.qlibra_month_hours, 16.0)
        self.assertAlmostEqual(partner.qlibra_month_cost, 480.0)
        self.assertAlmostEqual(partner.qlibra_month_revenue, 1000.0)
        self.assertAlmostEqual(partner.qlibra_consumption_percent, 80.0)
        self.assertEqual(partner.qlibra_trailing_hours, 60.0)

    def test_suggested_fee_over_months_under_contract(self):
        """Regression: the suggested fee divided the trailing cost by 3 even
        when the client had a contract in fewer of those months."""
        client = self._client("Newcomer")
        contract = self._contract(
            client,
            "subscription",
            self.months_ago[0],
            monthly_fee=300.0,
            included_hours=5.0,
        )
        task = self._task(self._project(client, contract))
        # 10 h x 50 x 1.2 = 600 in the only month under contract.
        self._log(task, self.senior, self.months_ago[0], 10.0)
        partner = client.with_user(self.manager_user)
        # 600 / 1 month / (1 - 30%) = 857.14, rounded up to a whole 10.
        self.assertEqual(partner.qlibra_suggested_fee, 860.0)
        # Time logged before any contract does not stretch the average.
        self._log(task, self.senior, self.months_ago[2], 10.0)
        partner.invalidate_recordset()
        self.assertEqual(partner.qlibra_trailing_cost, 1200.0)
        self.assertEqual(partner.qlibra_suggested_fee, 1720.0)

    def test_suggested_fee_rounding(self):
        self.assertEqual(suggested_fee(1200.0, 30.0), 1720.0)
        self.assertEqual(suggested_fee(700.0, 30.0), 1000.0)
        self.assertEqual(suggested_fee(1000.0, 0.0), 1000.0)
        self.assertEqual(suggested_fee(1000.01, 0.0), 1010.0)
        self.assertEqual(suggested_fee(0.0, 30.0), 0.0)

    def test_client_without_time(self):
        partner = self._client("Quiet").with_user(self.manager_user)
        self.assertEqual(partner.qlibra_trailing_hours, 0.0)
        self.assertFalse(partner.qlibra_to_renegotiate)
        self.assertFalse(partner.qlibra_has_trailing_revenue)
        self.assertEqual(partner.qlibra_suggested_fee, 0.0)

    def test_queries_do_not_grow_with_partners(self):
        clients = self.env["res.partner"]
        for index in range(30):
            client = self._client(f"Batch {index}")
            contract = self._contract(
                client, "hourly", self.months_ago[-1], hourly_rate=60.0
            )
            self._log(
                self._task(self._project(client, contract)),
                self.junior,
                self.months_ago[0],
                2.0,
            )
            clients |= client
        self.env.flush_all()

        def count_queries(partners):
            partners = partners.with_user(self.manager_user)
            partners.invalidate_recordset()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            partners.mapped("qlibra_suggested_fee")
            return self.env.cr.sql_log_count - before

        count_queries(clients[3:5])  # warm up: user groups, currency...
        small = count_queries(clients[:3])
        large = count_queries(clients)
        self.assertEqual(small, large)
        # 12, and 13 when a contract carries unused hours (the demo's Rila):
        # the analysis reads its carried hours once, for all (one query for
        # the balances and the hours, one for those contracts' terms).
        self.assertLessEqual(large, 13)
