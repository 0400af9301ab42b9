# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import new_test_user, tagged

from odoo.addons.qlibra_task.tests.common import QlibraHttpCase


@tagged("post_install", "-at_install", "qlibra_sales")
class TestDashboardTour(QlibraHttpCase):
    def test_manager_opens_dashboard(self):
        new_test_user(
            self.env,
            login="qdash_tour_manager",
            groups="base.group_user,qlibra_task.group_qlibra_manager",
        )
        self.start_tour(
            "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
            "qlibra_dashboard_tour",
            login="qdash_tour_manager",
        )
