# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo.tests import tagged

from .common import QlibraCase, month


@tagged("post_install", "-at_install", "qlibra_sales")
class TestProfitabilityReport(QlibraCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hourly_client = cls._client("Hourly Client")
        cls.hourly = cls._contract(
            cls.hourly_client, "hourly", date(2025, 1, 1), hourly_rate=100.0
        )
        cls.hourly_task = cls._task(cls._project(cls.hourly_client, cls.hourly))
        cls.subscription = cls._contract(
            cls.client,
            "subscription",
            date(2025, 1, 1),
            date(2025, 2, 28),
            monthly_fee=1000.0,
            included_hours=20.0,
        )
        cls.sub_task = cls._task(cls._project(cls.client, cls.subscription))
        # Hourly: 10 h x 100 = 1000 revenue, cost 10 x 25 x 1.2 = 300 -> 70%.
        cls._log(cls.hourly_task, cls.junior, date(2025, 1, 5), 10.0)
        # Subscription: fee 1000, cost 15 x 50 x 1.2 = 900 -> 10%.
        cls._log(cls.sub_task, cls.senior, date(2025, 1, 6), 15.0)
        cls.domain = [
            ("partner_id", "in", (cls.hourly_client | cls.client).ids),
            ("date", "=", month(2025, 1)),
        ]

    def test_margin_percent_from_cell_sums(self):
        self.env.flush_all()
        rows = self.Report._read_group(
            self.domain,
            ["partner_id"],
            ["revenue:sum", "cost:sum", "margin_percent:avg", "effective_rate:avg"],
        )
        by_partner = {row[0]: row[1:] for row in rows}
        self.assertEqual(by_partner[self.hourly_client], (1000.0, 300.0, 70.0, 100.0))
        revenue, cost, margin_percent, rate = by_partner[self.client]
        self.assertEqual((revenue, cost), (1000.0, 900.0))
        self.assertAlmostEqual(margin_percent, 10.0)
        self.assertAlmostEqual(rate, 1000.0 / 15.0)
        # The total is computed from the total sums: 800 / 2000, not (70 + 10) / 2.
        [(total_percent, total_rate)] = self.Report._read_group(
            self.domain, [], ["margin_percent:avg", "effective_rate:avg"]
        )
        self.assertAlmostEqual(total_percent, 40.0)
        self.assertAlmostEqual(total_rate, 2000.0 / 25.0)

    def test_margin_percent_empty_without_revenue(self):
        internal = self._contract(
            self._client("Internal"), "non_billable", date(2025, 1, 1), target_margin=0
        )
        self._log(
            self._task(self._project(internal.partner_id, internal)),
            self.senior,
            date(2025, 1, 8),
            1.0,
        )
        self.env.flush_all()
        [(margin_percent,)] = self.Report._read_group(
            [("contract_id", "=", internal.id)], [], ["margin_percent:avg"]
        )
        # Empty, not zero.
        self.assertIs(margin_percent, False)

    def test_sums_agree_over_any_grouping(self):
        total = self._sums(self.domain)
        for groupby in (
            ["partner_id"],
            ["contract_type"],
            ["project_id"],
            ["employee_id"],
            ["row_type"],
            ["task_id", "date:month"],
        ):
            with self.subTest(groupby=groupby):
                groups = self._sums(self.domain, groupby=groupby)
                for fname in ("hours", "cost", "revenue", "margin"):
                    self.assertAlmostEqual(
                        sum(g[fname] for g in groups.values()), total[fname]
                    )
        self.assertEqual(
            total, {"hours": 25.0, "cost": 1200.0, "revenue": 2000.0, "margin": 800.0}
        )

    def test_pivot_loads_for_manager(self):
        report = self.Report.with_user(self.manager_user)
        result = report.read_group(
            self.domain,
            ["hours:sum", "cost:sum", "revenue:sum", "margin:sum", "margin_percent"],
            ["partner_id", "date:month"],
            lazy=False,
        )
        self.assertEqual(len(result), 2)
        views = report.get_views([(False, "pivot"), (False, "graph"), (False, "list")])
        self.assertIn("margin_percent", views["views"]["pivot"]["arch"])

    def test_losing_money_filter(self):
        last_month = date.today().replace(day=1) - relativedelta(months=1)
        loser = self._client("Loser")
        contract = self._contract(loser, "hourly", date(2025, 1, 1), hourly_rate=10.0)
        self._log(
            self._task(self._project(loser, contract)), self.senior, last_month, 4.0
        )
        rows = self.Report.with_user(self.manager_user).search(
            [("partner_id.qlibra_losing_money", "=", True)]
        )
        self.assertIn(loser, rows.partner_id)
        self.assertNotIn(self.hourly_client, rows.partner_id)

    def _assert_store_matches_lines(self):
        """The contract-month store equals a plain computation from the raw
        lines and the terms of the subscriptions without rollover:
        hours per month, overage = hours above the included hours pro rata
        by days; a row for every month from the start to the last month
        with time or today's."""
        self.Contract._qlibra_store_months()
        self.env.cr.execute(
            """SELECT l.qlibra_contract_id, date_trunc('month', l.date)::date,
                      SUM(l.unit_amount)
                 FROM account_analytic_line l
                 JOIN qlibra_contract c ON c.id = l.qlibra_contract_id
                WHERE l.project_id IS NOT NULL
                  AND c.contract_type = 'subscription'
             GROUP BY 1, 2"""
        )
        logged = {(row[0], row[1]): row[2] for row in self.env.cr.fetchall()}
        self.env.cr.execute(
            """SELECT contract_id, date, hours, overage_hours, carried_in
                 FROM qlibra_contract_month"""
        )
        stored = {(row[0], row[1]): row[2:] for row in self.env.cr.fetchall()}
        for (contract_id, first), (hours, overage, carried) in stored.items():
            contract = self.Contract.browse(contract_id)
            if contract.rollover_max_hours:
                continue  # the demo's retainer: see test_rollover.py
            last = first + relativedelta(months=1, days=-1)
            days = (
                min(last, contract.date_end or last) - max(first, contract.date_start)
            ).days + 1
            included = contract.included_hours * max(days, 0) / last.day
            want = logged.get((contract_id, first), 0.0)
            self.assertAlmostEqual(hours, want, msg=f"{contract_id} {first}")
            self.assertAlmostEqual(overage, max(0.0, want - included))
            self.assertEqual(carried, 0.0)
        self.assertFalse(
            {key for key, hours in logged.items() if hours} - set(stored),
            "every subscription month with time is stored",
        )

    def test_store_follows_every_change(self):
        self._assert_store_matches_lines()
        line = self._log(self.sub_task, self.senior, date(2025, 1, 20), 7.0)
        other_task = self._task(self.sub_task.project_id, name="Other")
        self._assert_store_matches_lines()
        line.write({"unit_amount": 9.5, "task_id": other_task.id})
        self._assert_store_matches_lines()
        line.write({"date": date(2025, 2, 3), "qlibra_is_change_request": True})
        self._assert_store_matches_lines()
        # To another contract's task, and back; its client's terms change.
        line.task_id = self.hourly_task
        self._assert_store_matches_lines()
        line.task_id = self.sub_task
        self.subscription.included_hours = 8.0
        self._assert_store_matches_lines()
        # Ended early: February's included hours are pro rata.
        self.subscription.date_end = date(2025, 2, 10)
        self._assert_store_matches_lines()
        self.junior.unlink()
        self._assert_store_matches_lines()
        line.unlink()
        self._assert_store_matches_lines()
        self.env.flush_all()
        [(hours, revenue)] = self.Report._read_group(
            [("partner_id", "=", self.hourly_client.id)],
            [],
            ["hours:sum", "revenue:sum"],
        )
        self.assertEqual((hours, revenue), (10.0, 1000.0))

    def test_store_follows_each_role_across_a_renegotiation(self):
        """The employee logs and corrects, the manager renegotiates, the
        successor is archived: the store equals the lines after each step,
        and the accountant's analysis shows the fees and overage it holds."""
        self.subscription.overage_rate = 50.0
        line = self.Line.with_user(self.employee_user).create(
            {
                "name": "Work",
                "project_id": self.sub_task.project_id.id,
                "task_id": self.sub_task.id,
                "employee_id": self.employee_of_user.id,
                "date": date(2025, 2, 12),
                "unit_amount": 25.0,
            }
        )
        self._assert_store_matches_lines()
        line.with_user(self.employee_user).unit_amount = 27.0
        self._assert_store_matches_lines()
        successor = self.Contract.with_user(self.manager_user).create(
            {
                "partner_id": self.client.id,
                "contract_type": "subscription",
                "previous_contract_id": self.subscription.id,
                "date_start": date(2025, 2, 1),
                "monthly_fee": 1200.0,
                "included_hours": 10.0,
                "overage_rate": 70.0,
                "target_margin": 30.0,
            }
        )
        self.assertEqual(line.qlibra_contract_id, successor)
        self._assert_store_matches_lines()
        successor.with_user(self.manager_user).action_archive()
        self._assert_store_matches_lines()
        rows = (
            self.Report.with_user(self.accountant_user)
            .search([("contract_id", "=", successor.id), ("date", "=", month(2025, 2))])
            .grouped("row_type")
        )
        self.assertAlmostEqual(rows["fee"].revenue, 1200.0)
        # 27 h against 10 included, at 70
        self.assertAlmostEqual(rows["overage"].revenue, 17.0 * 70.0)

    def _filter_domain(self, name):
        """The domain of a filter of the analysis' search view, evaluated as
        the web client does (context_today, relativedelta)."""
        from lxml import etree

        from odoo.tools.safe_eval import datetime as safe_datetime
        from odoo.tools.safe_eval import safe_eval

        arch = self.Report.get_views([(False, "search")])["views"]["search"]["arch"]
        (node,) = etree.fromstring(arch).xpath(f"//filter[@name='{name}']")
        return safe_eval(
            node.get("domain"),
            {
                "context_today": lambda: date.today(),
                "relativedelta": relativedelta,
                "datetime": safe_datetime,
            },
        )

    def test_internal_time_apart_from_clients(self):
        """Time on a project without client, or for the firm itself, is
        internal: kept with its cost, left out of the default Clients view."""
        own = self.company.partner_id
        no_client = self.env["project.project"].create(
            {"name": "Training", "allow_timesheets": True}
        )
        for_the_firm = self._project(own, name="Firm Website")
        for project in (no_client, for_the_firm):
            self._log(self._task(project), self.senior, date(2025, 1, 9), 2.0)
        self.env.flush_all()
        clients = self._filter_domain("clients")
        internal = self._filter_domain("internal")
        period = [("date", "=", month(2025, 1))]
        internal_sums = self._sums(period + internal)
        self.assertAlmostEqual(internal_sums["hours"], 4.0)
        self.assertAlmostEqual(internal_sums["cost"], 240.0)  # 4 x 50 x 1.2
        client_rows = self.Report.search(period + clients)
        self.assertNotIn(own, client_rows.partner_id)
        self.assertFalse(client_rows.filtered(lambda r: not r.partner_id))
        self.assertIn(self.hourly_client, client_rows.partner_id)
        # Clients and internal time make the whole: nothing dropped.
        whole = self._sums(period)
        self.assertAlmostEqual(
            self._sums(period + clients)["cost"] + internal_sums["cost"], whole["cost"]
        )

    def test_last_6_full_months(self):
        domain = self._filter_domain("filter_last_6_months")
        first_of_month = date.today().replace(day=1)
        self.assertIn(("date", "<", first_of_month.strftime("%Y-%m-%d")), domain)
        self.assertIn(
            (
                "date",
                ">=",
                (first_of_month - relativedelta(months=6)).strftime("%Y-%m-%d"),
            ),
            domain,
        )
        action = self.env.ref("qlibra_task.qlibra_profitability_report_action")
        self.assertIn("search_default_clients", action.context)
