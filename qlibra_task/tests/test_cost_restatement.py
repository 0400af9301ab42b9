# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import QlibraCase


@tagged("post_install", "-at_install", "qlibra_sales")
class TestCostRestatement(QlibraCase):
    """Only a manager's explicit restatement re-costs past lines, after
    seeing the difference, and it is recorded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_r = cls._client("Restated Client")
        cls.contract_r = cls._contract(
            cls.client_r, "hourly", date(2025, 1, 1), hourly_rate=100.0
        )
        task = cls._task(cls._project(cls.client_r, cls.contract_r))
        cls.employee_r = cls.env["hr.employee"].create(
            {"name": "Restated Employee", "hourly_cost": 25.0}
        )
        cls.lines_r = cls._log(task, cls.employee_r, date(2025, 1, 10), 2.0) | cls._log(
            task, cls.employee_r, date(2025, 2, 10), 4.0
        )

    def _wizard(self, user, lines):
        Wizard = self.env["qlibra.cost.restatement"].with_user(user)
        return Form(
            Wizard.with_context(
                active_model="account.analytic.line", active_ids=lines.ids
            )
        )

    def test_preview_then_apply(self):
        # 6 h x 25 x 1.2 = 180 logged; the cost rises to 40 and overhead to 50%.
        self.employee_r.hourly_cost = 40.0
        self.company.qlibra_overhead_rate = 50.0
        self.assertAlmostEqual(sum(self.lines_r.mapped("qlibra_cost")), 180.0)
        form = self._wizard(self.manager_user, self.lines_r)
        self.assertEqual(form.line_count, 2)
        self.assertAlmostEqual(form.current_cost, 180.0)
        self.assertAlmostEqual(form.restated_cost, 360.0)  # 6 x 40 x 1.5
        self.assertAlmostEqual(form.difference, 180.0)
        # Nothing changed by the preview.
        self.assertAlmostEqual(sum(self.lines_r.mapped("qlibra_cost")), 180.0)
        form.reason = "Cost of 2025 corrected"
        form.save().action_apply()
        self.assertAlmostEqual(sum(self.lines_r.mapped("qlibra_cost")), 360.0)
        self.assertAlmostEqual(
            self._sums([("contract_id", "=", self.contract_r.id)])["cost"], 360.0
        )
        for record in (self.contract_r, self.employee_r):
            message = record.message_ids.filtered(
                lambda m: "Cost of 2025 corrected" in (m.body or "")
            )
            self.assertEqual(len(message), 1, record._name)
            self.assertIn("restated", message.body)

    def test_only_managers(self):
        with self.assertRaises(AccessError):
            self._wizard(self.accountant_user, self.lines_r)
        wizard = self.env["qlibra.cost.restatement"].create(
            {"line_ids": [(6, 0, self.lines_r.ids)], "reason": "x"}
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.accountant_user).action_apply()
