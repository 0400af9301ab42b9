# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import DASHBOARD_XMLID


@tagged("post_install", "-at_install")
class TestDashboardAccess(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref(DASHBOARD_XMLID)
        cls.manager = new_test_user(
            cls.env,
            login="qdash_manager",
            groups="base.group_user,qlibra_task.group_qlibra_manager",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="qdash_accountant",
            groups="base.group_user,qlibra_task.group_qlibra_accountant",
        )
        cls.employee = new_test_user(
            cls.env,
            login="qdash_employee",
            groups="base.group_user,hr_timesheet.group_hr_timesheet_user",
        )

    def _groups_of_dashboards_app(self, user):
        """What the Dashboards app loads first (dashboard_loader.js)."""
        return (
            self.env["spreadsheet.dashboard.group"]
            .with_user(user)
            .web_search_read(
                [("published_dashboard_ids", "!=", False)],
                {"name": {}, "published_dashboard_ids": {"fields": {"name": {}}}},
            )["records"]
        )

    def test_manager_reads_dashboard(self):
        Dashboard = self.env["spreadsheet.dashboard"].with_user(self.manager)
        self.assertIn(self.dashboard, Dashboard.search([]))
        listed = [
            dashboard["id"]
            for group in self._groups_of_dashboards_app(self.manager)
            for dashboard in group["published_dashboard_ids"]
        ]
        self.assertIn(self.dashboard.id, listed)
        result = Dashboard.browse(self.dashboard.id).get_readonly_dashboard()
        snapshot = result["snapshot"]
        self.assertNotIn("is_sample", result)
        self.assertEqual(
            [sheet["name"] for sheet in snapshot["sheets"]], ["Dashboard", "Data"]
        )
        self.assertEqual(len(snapshot["pivots"]), 7)
        self.assertEqual(len(snapshot["lists"]), 2)
        self.assertTrue(result["default_currency"])
        self.assertIn("locale", snapshot["settings"])

    def test_others_do_not_see_it(self):
        for user in (self.employee, self.accountant):
            with self.subTest(user=user.login):
                Dashboard = self.env["spreadsheet.dashboard"].with_user(user)
                self.assertNotIn(self.dashboard, Dashboard.search([]))
                listed = [
                    dashboard["id"]
                    for group in self._groups_of_dashboards_app(user)
                    for dashboard in group["published_dashboard_ids"]
                ]
                self.assertNotIn(self.dashboard.id, listed)
                dashboard = Dashboard.browse(self.dashboard.id)
                with self.assertRaises(AccessError):
                    dashboard.check_access("read")
                with self.assertRaises(AccessError):
                    dashboard.read(["name"])
                # Odoo reads the spreadsheet's attachment with the user's
                # rights: nothing to read, so no snapshot comes back.
                try:
                    result = dashboard.get_readonly_dashboard()
                except (AccessError, TypeError):
                    result = None
                self.assertIsNone(result)
