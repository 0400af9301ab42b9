# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One "today": every date rule takes the day in the user's timezone, at any
hour, never the server's or PostgreSQL's clock."""

from datetime import date

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from .common import QlibraCase, month

# 23:30 UTC on the last day of March: already 1 April in Sofia (UTC+3),
# still 31 March in Los Angeles (UTC-7).
LATE_EVENING = "2025-03-31 23:30:00"


@tagged("post_install", "-at_install")
class TestToday(QlibraCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = (
            "base.group_user,qlibra_task.group_qlibra_manager,"
            "project.group_project_manager"
        )
        cls.sofia = new_test_user(
            cls.env, login="qlibra_sofia", groups=groups, tz="Europe/Sofia"
        )
        cls.los_angeles = new_test_user(
            cls.env, login="qlibra_la", groups=groups, tz="America/Los_Angeles"
        )
        cls.subscriber = cls._client("Open-ended Subscriber")
        cls.subscription = cls._contract(
            cls.subscriber,
            "subscription",
            date(2025, 1, 1),
            monthly_fee=900.0,
            included_hours=10.0,
        )

    def _fee_months(self, user):
        Report = self.Report.with_user(user)
        rows = Report._read_group(
            [("contract_id", "=", self.subscription.id), ("row_type", "=", "fee")],
            ["date:month"],
            ["revenue:sum"],
        )
        return {day: revenue for day, revenue in rows}

    @freeze_time(LATE_EVENING)
    def test_subscription_fee_of_the_users_month(self):
        self.assertIn(month(2025, 4), self._fee_months(self.sofia))
        self.assertNotIn(month(2025, 4), self._fee_months(self.los_angeles))
        self.assertIn(month(2025, 3), self._fee_months(self.los_angeles))

    @freeze_time(LATE_EVENING)
    def test_done_day_of_the_users_day(self):
        contract = self._contract(
            self._client("Done Day"), "fixed_price", date(2025, 1, 1)
        )
        project = self._project(contract.partner_id, contract)
        for user, expected in (
            (self.sofia, date(2025, 4, 1)),
            (self.los_angeles, date(2025, 3, 31)),
        ):
            task = self._task(project, name=user.login, qlibra_fixed_price=100.0)
            task.with_user(user).state = "1_done"
            self.assertEqual(task.qlibra_date_done, expected, user.login)

    @freeze_time(LATE_EVENING)
    def test_archive_day_of_the_users_day(self):
        for user, expected in (
            (self.sofia, date(2025, 4, 1)),
            (self.los_angeles, date(2025, 3, 31)),
        ):
            contract = self._contract(
                self._client(f"Archive {user.login}"),
                "hourly",
                date(2025, 1, 1),
                hourly_rate=10.0,
            )
            contract.with_user(user).action_archive()
            self.assertEqual(contract.date_end, expected, user.login)
