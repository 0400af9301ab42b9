# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.exceptions import RedirectWarning
from odoo.tests import Form, tagged

from .common import QlibraCase


@tagged("post_install", "-at_install", "qlibra_sales")
class TestTimesheetCost(QlibraCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._contract(
            cls.client,
            "hourly",
            date(2025, 1, 1),
            date(2025, 12, 31),
            hourly_rate=100.0,
        )
        cls.project = cls._project(cls.client, cls.contract)
        cls.task = cls._task(cls.project)

    def test_cost_includes_overhead(self):
        line = self._log(self.task, self.senior, date(2025, 3, 3), 2.0)
        self.assertEqual(line.amount, -100.0)
        # 2 h x 50 x (1 + 20%)
        self.assertAlmostEqual(line.qlibra_cost, 120.0)
        self.assertEqual(line.qlibra_overhead_rate, 20.0)

    def test_cost_frozen_when_logged(self):
        line = self._log(self.task, self.senior, date(2025, 3, 3), 2.0)
        self.senior.hourly_cost = 80.0
        self.company.qlibra_overhead_rate = 50.0
        self.env.flush_all()
        line.invalidate_recordset()
        self.assertAlmostEqual(line.qlibra_cost, 120.0)
        later = self._log(self.task, self.senior, date(2025, 3, 4), 1.0)
        # 1 h x 80 x (1 + 50%)
        self.assertAlmostEqual(later.qlibra_cost, 120.0)
        self.assertAlmostEqual(
            self._sums([("contract_id", "=", self.contract.id)])["cost"], 240.0
        )

    def test_uncosted_time_is_shown(self):
        self._log(self.task, self.intern, date(2025, 3, 3), 3.0)
        self.assertEqual(self.intern.qlibra_uncosted_hours, 3.0)
        self.assertIn(
            self.intern,
            self.env["hr.employee"].search([("qlibra_uncosted_hours", ">", 0)]),
        )
        self.assertNotIn(
            self.senior,
            self.env["hr.employee"].search([("qlibra_uncosted_hours", ">", 0)]),
        )
        self.assertEqual(self.contract.missing_cost_employee_ids, self.intern)
        sums = self._sums(
            [("contract_id", "=", self.contract.id)],
            fields=("hours", "uncosted_hours", "cost"),
        )
        self.assertEqual(sums, {"hours": 3.0, "uncosted_hours": 3.0, "cost": 0.0})

    def test_contract_from_task_then_project_then_client(self):
        other = self._contract(
            self._client("Other"), "non_billable", date(2025, 1, 1), target_margin=0
        )
        task_with_own = self._task(self.project, qlibra_contract_id=other.id)
        line = self._log(task_with_own, self.senior, date(2025, 3, 3), 1.0)
        self.assertEqual(line.qlibra_contract_id, other)
        self.assertEqual(line.qlibra_partner_id, other.partner_id)
        line = self._log(self.task, self.senior, date(2025, 3, 3), 1.0)
        self.assertEqual(line.qlibra_contract_id, self.contract)
        # A project without contract: not the contract of another project,
        # which covers only its own (SPEC, Rules), but the client's contract
        # for the whole client.
        loose = self._task(self._project(self.client_contact, name="No contract"))
        line = self._log(loose, self.senior, date(2025, 3, 3), 1.0)
        self.assertFalse(line.qlibra_contract_id)
        self.assertEqual(line.qlibra_partner_id, self.client)
        whole = self._contract(self.client, "hourly", date(2025, 1, 1))
        self.env.flush_all()
        self.assertEqual(line.qlibra_contract_id, whole)
        self.assertEqual(line.qlibra_partner_id, self.client)

    def test_uncovered_time_stays_visible(self):
        client = self._client("Occasional")
        task = self._task(self._project(client))
        line = self._log(task, self.junior, date(2025, 3, 3), 4.0)
        self.assertFalse(line.qlibra_contract_id)
        self.assertEqual(line.qlibra_partner_id, client)
        self.env.flush_all()
        rows = self.Report.search([("partner_id", "=", client.id)])
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows.contract_type, "none")
        self.assertEqual(rows.hours, 4.0)
        self.assertAlmostEqual(rows.cost, 120.0)
        self.assertEqual(rows.revenue, 0.0)

    def test_time_outside_contract_dates_is_uncovered(self):
        line = self._log(self.task, self.senior, date(2026, 1, 5), 1.0)
        self.assertFalse(line.qlibra_contract_id)
        self.assertEqual(line.qlibra_partner_id, self.client)

    def test_two_valid_client_contracts_are_ambiguous(self):
        client = self._client("Two Scopes")
        first = self._contract(
            client,
            "hourly",
            date(2025, 1, 1),
            hourly_rate=50,
            project_ids=[(0, 0, {"name": "A"})],
        )
        second = self._contract(
            client,
            "hourly",
            date(2025, 1, 1),
            hourly_rate=60,
            project_ids=[(0, 0, {"name": "B"})],
        )
        self.assertTrue(first and second)
        loose = self._task(self._project(client, name="Neither"))
        line = self._log(loose, self.senior, date(2025, 3, 3), 1.0)
        self.assertFalse(line.qlibra_contract_id)

    def test_contract_created_later_picks_up_time(self):
        client = self._client("Late Contract")
        task = self._task(self._project(client))
        line = self._log(task, self.senior, date(2025, 3, 3), 1.0)
        self.assertFalse(line.qlibra_contract_id)
        contract = self._contract(client, "hourly", date(2025, 1, 1), hourly_rate=70)
        self.assertEqual(line.qlibra_contract_id, contract)
        contract.date_start = date(2025, 4, 1)
        self.assertFalse(line.qlibra_contract_id)

    def test_renegotiated_contract_keeps_old_lines(self):
        client = self._client("Renegotiated")
        old = self._contract(client, "hourly", date(2025, 1, 1), hourly_rate=80)
        project = self._project(client, old)
        task = self._task(project)
        before = self._log(task, self.senior, date(2025, 5, 10), 1.0)
        new = self._contract(
            client,
            "hourly",
            date(2025, 6, 1),
            hourly_rate=120,
            previous_contract_id=old.id,
        )
        self.assertEqual(task.qlibra_contract_id, new)
        after = self._log(task, self.senior, date(2025, 6, 10), 1.0)
        self.assertEqual(before.qlibra_contract_id, old)
        self.assertEqual(after.qlibra_contract_id, new)
        revenue = self._sums(
            [("partner_id", "=", client.id)],
            groupby=["contract_id"],
            fields=["revenue"],
        )
        self.assertEqual(revenue[old]["revenue"], 80.0)
        self.assertEqual(revenue[new]["revenue"], 120.0)

    def test_change_request_defaults_from_task(self):
        cr_task = self._task(self.project, name="Extra", qlibra_is_change_request=True)
        line = self._log(cr_task, self.junior, date(2025, 3, 3), 2.0)
        self.assertTrue(line.qlibra_is_change_request)
        line = self._log(self.task, self.junior, date(2025, 3, 3), 1.0)
        self.assertFalse(line.qlibra_is_change_request)
        marked = self._log(
            self.task, self.junior, date(2025, 3, 4), 1.5, qlibra_is_change_request=True
        )
        self.assertTrue(marked.qlibra_is_change_request)
        sums = self._sums(
            [("contract_id", "=", self.contract.id)],
            fields=("hours", "change_request_hours"),
        )
        self.assertEqual(sums, {"hours": 4.5, "change_request_hours": 3.5})

    def test_employee_marks_change_request_in_task_timesheets(self):
        task = self.task.with_user(self.employee_user)
        employee = self.employee_of_user
        with Form(task, view="hr_timesheet.view_task_form2_inherited") as form:
            with form.timesheet_ids.new() as line:
                line.employee_id = employee
                line.unit_amount = 2.0
                line.qlibra_is_change_request = True
        line = self.task.timesheet_ids
        self.assertTrue(line.qlibra_is_change_request)
        self.assertAlmostEqual(line.sudo().qlibra_cost, 72.0)

    def test_deleting_with_logged_time_behaves_as_odoo(self):
        line = self._log(self.task, self.senior, date(2025, 3, 3), 2.0)
        domain = [("contract_id", "=", self.contract.id)]
        before = self._sums(domain)
        # Odoo refuses to delete a task or a project that has timesheets.
        with self.assertRaises(RedirectWarning):
            self.task.unlink()
        with self.assertRaises(RedirectWarning):
            self.project.unlink()
        # Deleting an employee keeps the time, its frozen cost and revenue,
        # under no employee: no orphan row, no lost figure.
        self.senior.unlink()
        self.env.flush_all()
        self.assertTrue(line.exists())
        self.assertFalse(line.employee_id)
        self.assertEqual(self._sums(domain), before)
        # The line is one row of the analysis, without employee.
        rows = self.Report.search(domain)
        self.assertEqual(len(rows), 1)
        self.assertFalse(rows.employee_id)
        # Deleting the line removes its row and its figures.
        line.unlink()
        self.assertEqual(self._sums(domain)["hours"], 0.0)
        self.assertFalse(self.Report.search(domain))
