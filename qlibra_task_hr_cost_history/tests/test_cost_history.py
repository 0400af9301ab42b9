# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import new_test_user, tagged

from odoo.addons.qlibra_task.tests.common import QlibraCase


@tagged("post_install", "-at_install")
class TestCostHistory(QlibraCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        client = cls._client("Cost History Client")
        contract = cls._contract(client, "hourly", date(2025, 1, 1), hourly_rate=100.0)
        cls.contract = contract
        cls.task = cls._task(cls._project(client, contract))
        cls.senior.hourly_cost = 50.0
        cls.january = cls._log(cls.task, cls.senior, date(2025, 1, 15), 2.0)
        cls.march = cls._log(cls.task, cls.senior, date(2025, 3, 10), 2.0)
        # OCA's wizard is for HR officers who see everyone's timesheets; one
        # of them also manages qLibra.
        cls.hr_manager = new_test_user(
            cls.env,
            login="qlibra_hr_manager",
            groups="base.group_user,hr.group_hr_user,"
            "hr_timesheet.group_timesheet_manager,qlibra_task.group_qlibra_manager",
        )
        cls.hr_officer = new_test_user(
            cls.env,
            login="qlibra_hr_officer",
            groups="base.group_user,hr.group_hr_user,"
            "hr_timesheet.group_timesheet_manager",
        )

    def _update_cost(self, user, cost, starting_date):
        wizard = (
            self.env["hr.employee.timesheet.cost.wizard"]
            .with_user(user)
            .create(
                {
                    "employee_id": self.senior.id,
                    "hourly_cost": cost,
                    "starting_date": starting_date,
                    "comment": "Raise decided late",
                }
            )
        )
        wizard.update_employee_cost()

    def test_manager_restates_from_the_date(self):
        before = self.january.qlibra_cost
        self._update_cost(self.hr_manager, 80.0, date(2025, 3, 1))
        self.env.flush_all()
        self.assertEqual(self.january.qlibra_cost, before, "before the date: kept")
        overhead = 1 + self.env.company.qlibra_overhead_rate / 100
        self.assertAlmostEqual(self.march.qlibra_cost, 2 * 80.0 * overhead)
        self.assertEqual(self.march.qlibra_hourly_cost, 80.0)
        # Recorded like any restatement, with the wizard's comment.
        note = self.contract.message_ids[:1]
        self.assertIn("restated", note.body)
        self.assertIn("Raise decided late", note.body)
        # The analysis follows.
        self.assertAlmostEqual(
            self._sums([("contract_id", "=", self.contract.id)], fields=["cost"])[
                "cost"
            ],
            before + 2 * 80.0 * overhead,
        )

    def test_other_users_leave_logged_costs(self):
        before = self.march.qlibra_cost
        self._update_cost(self.hr_officer, 80.0, date(2025, 3, 1))
        self.env.flush_all()
        self.assertEqual(self.march.qlibra_cost, before)
        self.assertEqual(self.march.qlibra_hourly_cost, 50.0)
        self.assertIn(
            "only a client profitability manager",
            self.senior.message_ids[:1].body,
        )
        # Odoo's own amount did follow the new cost, as without qLibra.
        self.assertAlmostEqual(self.march.amount, -160.0)
