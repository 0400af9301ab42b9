# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Readers never write (issue 22): the analysis read through the web client
runs on a read-only cursor (Odoo's replica; tests simulate one), so the
contract-month store must already hold a new month's subscription fees."""

from datetime import date

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import QlibraHttpCase, run_scheduled_actions


@tagged("post_install", "-at_install")
class TestReadOnlyAnalysis(QlibraHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env,
            login="qlibra_ro_manager",
            groups="base.group_user,qlibra_task.group_qlibra_manager,"
            "project.group_project_user,hr_timesheet.group_hr_timesheet_user",
        )
        cls.client = cls._client("Read-only Client")

    def _subscription(self):
        """A subscription since November 2025 with time in December."""
        contract = self._contract(
            self.client,
            "subscription",
            date(2025, 11, 1),
            monthly_fee=1000.0,
            included_hours=10.0,
            overage_rate=80.0,
        )
        employee = self.env["hr.employee"].create(
            {"name": "Read-only Employee", "hourly_cost": 40.0}
        )
        task = self._task(self._project(self.client, name="Read-only"))
        self._log(task, employee, date(2025, 12, 10), 3.0)
        return contract

    def _fees_by_month(self):
        """The analysis's revenue by month, as the pivot asks for it."""
        self.authenticate("qlibra_ro_manager", "qlibra_ro_manager")
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/qlibra.profitability.report/web_read_group",
            {
                "model": "qlibra.profitability.report",
                "method": "web_read_group",
                "args": [],
                "kwargs": {
                    "domain": [("partner_id", "=", self.client.id)],
                    "fields": ["revenue:sum"],
                    "groupby": ["date:month"],
                    "lazy": False,
                },
            },
        )
        return {
            group["__range"]["date:month"]["from"]: group["revenue"]
            for group in result["groups"]
        }

    def test_new_month_read_on_a_read_only_cursor(self):
        with freeze_time("2026-01-31 12:00:00"):
            self._subscription()
            run_scheduled_actions(self.env)
        self.env.flush_all()
        # The first read of February: the scheduled action of January 31
        # stored February already; the read-only request writes nothing
        # (else Odoo would log a warning and retry on a read/write cursor).
        with freeze_time("2026-02-01 08:00:00"):
            with self.assertNoLogs("odoo.http", "WARNING"):
                fees = self._fees_by_month()
        self.assertEqual(fees["2026-02-01"], 1000.0)
        self.assertEqual(len(fees), 4)  # November to February

    def test_store_behind_is_still_right(self):
        """Without the scheduled action (the store stops at January), the
        read still shows February's fee: Odoo runs it again on a read/write
        cursor, and says so in its log."""
        with freeze_time("2026-01-31 12:00:00"):
            contract = self._subscription()
            self.env.flush_all()
            self.env.cr.precommit.run()
        self.env.cr.execute(
            "DELETE FROM qlibra_contract_month WHERE contract_id = %s"
            " AND date > '2026-01-01'",
            [contract.id],
        )
        with freeze_time("2026-02-01 08:00:00"):
            with (
                self.assertLogs("odoo.http", "WARNING") as logs,
                mute_logger("odoo.sql_db"),
            ):
                fees = self._fees_by_month()
        self.assertIn("read/write cursor", logs.output[0])
        self.assertEqual(fees["2026-02-01"], 1000.0)
