# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Figures through the life of contracts and timesheets (SPEC, Lifecycle):
the examples of the issue on trustworthy figures, one regression test each."""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import QlibraCase, month


@tagged("post_install", "-at_install")
class TestLifecycle(QlibraCase):
    def _line_as_manager(self, line):
        line = line.with_user(self.manager_user)
        line.invalidate_recordset()
        return line

    # --- adoption: time logged before its contract existed -----------------
    def test_hourly_contract_created_after_the_time(self):
        client = self._client("Adopted Hourly")
        task = self._task(self._project(client))
        line = self._log(task, self.senior, date(2025, 3, 3), 2.0)
        self.assertFalse(line.qlibra_contract_id)
        contract = self._contract(client, "hourly", date(2025, 1, 1), hourly_rate=100.0)
        self.env.flush_all()
        self.assertEqual(line.qlibra_contract_id, contract)
        self.assertEqual(line.qlibra_contract_type, "hourly")
        self.assertAlmostEqual(self._line_as_manager(line).qlibra_revenue, 200.0)
        sums = self._sums([("partner_id", "=", client.id)])
        self.assertAlmostEqual(sums["revenue"], 200.0)
        self.assertAlmostEqual(sums["hours"], 2.0)

    def test_contact_changing_company_leaves_its_time(self):
        """The client is the company the line was logged for: a contact that
        moves to another company takes none of its past time along (SPEC,
        Rules); its new time counts for the new company."""
        first = self._client("First Employer")
        second = self._client("Second Employer")
        contact = self.env["res.partner"].create(
            {"name": "Moving Contact", "parent_id": first.id}
        )
        task = self._task(self._project(contact))
        line = self._log(task, self.senior, date(2025, 3, 3), 2.0)
        self.assertEqual(line.qlibra_partner_id, first)
        contact.parent_id = second
        later = self._log(task, self.senior, date(2025, 3, 4), 1.0)
        self.env.flush_all()
        self.assertEqual(line.qlibra_partner_id, first)
        self.assertEqual(later.qlibra_partner_id, second)
        self.assertAlmostEqual(
            self._sums([("partner_id", "=", first.id)])["hours"], 2.0
        )
        self.assertAlmostEqual(
            self._sums([("partner_id", "=", second.id)])["hours"], 1.0
        )

    def test_stored_line_values_equal_their_computation(self):
        """Every line's stored contract, client, type, mark, cost and revenue
        are what the ORM computes now. Among them, the lines Odoo's demo
        held before the add-on was installed: their columns were filled in
        SQL by the pre-init hook, not by the ORM."""
        self.env.flush_all()
        Line = self.env["account.analytic.line"].sudo()
        names = (
            "qlibra_contract_id",
            "qlibra_partner_id",
            "qlibra_client_id",
            "qlibra_contract_type",
            "qlibra_is_change_request",
            "qlibra_cost",
            "qlibra_revenue",
        )
        lines = Line.search([])

        def stored():
            lines.invalidate_recordset(names)
            return {line.id: [line[name] for name in names] for line in lines}

        before = stored()
        for name in names:
            self.env.add_to_compute(Line._fields[name], lines)
        lines.mapped("qlibra_cost")
        self.env.flush_all()
        after = stored()
        differences = [
            (line_id, before[line_id], after[line_id])
            for line_id in before
            if before[line_id] != after[line_id]
        ]
        self.assertFalse(differences[:5], f"{len(differences)} line(s) differ")

    @freeze_time("2025-03-20")
    def test_subscription_created_over_logged_hours(self):
        client = self._client("Adopted Subscription")
        task = self._task(self._project(client))
        self._log(task, self.senior, date(2025, 3, 3), 10.0)
        self._log(task, self.junior, date(2025, 3, 4), 8.0)
        contract = self._contract(
            client,
            "subscription",
            date(2025, 1, 1),
            monthly_fee=1000.0,
            included_hours=20.0,
        )
        self.env.flush_all()
        contract.invalidate_recordset()
        self.assertAlmostEqual(contract.consumption_percent, 90.0)
        partner = client.with_user(self.manager_user)
        self.assertAlmostEqual(partner.qlibra_consumption_percent, 90.0)
        sums = self._sums(
            [("contract_id", "=", contract.id), ("date", "=", month(2025, 3))]
        )
        self.assertAlmostEqual(sums["hours"], 18.0)

    def test_corrected_start_date_moves_lines_to_the_contract(self):
        client = self._client("Corrected Start")
        task = self._task(self._project(client))
        line = self._log(task, self.senior, date(2025, 2, 10), 3.0)
        contract = self._contract(client, "hourly", date(2025, 3, 1), hourly_rate=80.0)
        self.env.flush_all()
        self.assertFalse(line.qlibra_contract_id)
        contract.date_start = date(2025, 2, 1)
        self.env.flush_all()
        self.assertEqual(line.qlibra_contract_type, "hourly")
        self.assertAlmostEqual(self._line_as_manager(line).qlibra_revenue, 240.0)

    # --- archive and replace ------------------------------------------------
    @freeze_time("2025-05-10")
    def test_archive_ends_an_open_ended_subscription(self):
        client = self._client("Archived Open")
        contract = self._contract(
            client,
            "subscription",
            date(2025, 1, 1),
            monthly_fee=1000.0,
            included_hours=10.0,
        )
        contract.action_archive()
        self.assertEqual(contract.date_end, date(2025, 5, 10))
        revenue = self._sums(
            [("partner_id", "=", client.id)], groupby=["date:month"], fields=["revenue"]
        )
        self.assertAlmostEqual(revenue[month(2025, 4)]["revenue"], 1000.0)
        self.assertAlmostEqual(revenue[month(2025, 5)]["revenue"], 1000.0 * 10 / 31)
        self.assertNotIn(month(2025, 6), revenue)
        # An end already before the archive day stays as it was.
        ended = self._contract(
            self._client("Archived Ended"),
            "hourly",
            date(2025, 1, 1),
            date(2025, 2, 28),
            hourly_rate=50.0,
        )
        ended.action_archive()
        self.assertEqual(ended.date_end, date(2025, 2, 28))

    def test_archived_contract_counts_in_overlap(self):
        client = self._client("Archive Replace")
        first = self._contract(
            client,
            "subscription",
            date(2025, 1, 1),
            date(2025, 12, 31),
            monthly_fee=1000.0,
            included_hours=10.0,
        )
        first.action_archive()
        with self.assertRaises(ValidationError):
            self._contract(
                client,
                "subscription",
                date(2025, 1, 1),
                date(2025, 12, 31),
                monthly_fee=1500.0,
                included_hours=10.0,
            )

    # --- type switch ----------------------------------------------------------
    def test_type_cannot_change_once_a_task_is_priced(self):
        client = self._client("Type Switch")
        contract = self._contract(client, "fixed_price", date(2025, 1, 1))
        project = self._project(client, contract)
        self._task(project, name="Job", qlibra_fixed_price=3000.0)
        with self.assertRaises(UserError):
            contract.contract_type = "hourly"
        self.assertEqual(contract.contract_type, "fixed_price")

    def test_type_cannot_change_once_time_is_logged(self):
        client = self._client("Type Switch Time")
        contract = self._contract(client, "hourly", date(2025, 1, 1), hourly_rate=60.0)
        self._log(
            self._task(self._project(client, contract)),
            self.senior,
            date(2025, 2, 3),
            1.0,
        )
        with self.assertRaises(UserError):
            contract.write({"contract_type": "non_billable"})
        # Before any time, the type may still be corrected.
        fresh = self._contract(
            self._client("Fresh"), "hourly", date(2025, 1, 1), hourly_rate=1.0
        )
        fresh.contract_type = "non_billable"
        self.assertEqual(fresh.contract_type, "non_billable")

    # --- fixed price stays where it was recognised --------------------------
    def test_reopened_task_keeps_its_revenue_month(self):
        client = self._client("Reopened")
        contract = self._contract(client, "fixed_price", date(2025, 1, 1))
        job = self._task(self._project(client, contract), qlibra_fixed_price=3000.0)
        with freeze_time("2025-01-31 12:00"):
            job.state = "1_done"
        self.assertEqual(job.qlibra_date_done, date(2025, 1, 31))
        with freeze_time("2025-02-14 12:00"):
            job.state = "01_in_progress"
            self._log(job, self.senior, date(2025, 2, 14), 2.0)
        revenue = self._sums(
            [("contract_id", "=", contract.id)],
            groupby=["date:month"],
            fields=["revenue", "cost"],
        )
        self.assertAlmostEqual(revenue[month(2025, 1)]["revenue"], 3000.0)
        self.assertAlmostEqual(revenue[month(2025, 2)]["revenue"], 0.0)
        self.assertAlmostEqual(revenue[month(2025, 2)]["cost"], 120.0)
        with freeze_time("2025-03-05 12:00"):
            job.state = "1_done"
        self.assertEqual(job.qlibra_date_done, date(2025, 1, 31))

    def test_only_managers_move_revenue(self):
        """A project manager who is a qLibra accountant, not a qLibra manager,
        edits tasks and projects, but not what moves revenue."""
        project_manager = new_test_user(
            self.env,
            login="qlibra_project_manager",
            groups="base.group_user,project.group_project_manager,"
            "qlibra_task.group_qlibra_accountant",
        )
        client = self._client("Guarded")
        contract = self._contract(client, "fixed_price", date(2025, 1, 1))
        project = self._project(client, contract)
        job = self._task(project, qlibra_fixed_price=1000.0, state="1_done")
        other = self._contract(self._client("Other"), "fixed_price", date(2025, 1, 1))
        pm_job = job.with_user(project_manager)
        for vals in (
            {"qlibra_date_done": date(2025, 6, 1)},
            {"qlibra_contract_id": other.id},
            {"qlibra_fixed_price": 1200.0},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                pm_job.write(vals)
        with self.assertRaises(AccessError):
            project.with_user(project_manager).qlibra_contract_id = other
        with self.assertRaises(AccessError):
            self.env["project.task"].with_user(project_manager).create(
                {"name": "Priced", "project_id": project.id, "qlibra_fixed_price": 5.0}
            )
        # The same values, other fields and new tasks stay allowed.
        pm_job.write({"name": "Renamed", "qlibra_contract_id": contract.id})
        self.env["project.task"].with_user(project_manager).create(
            {"name": "New", "project_id": project.id, "qlibra_contract_id": contract.id}
        )
        job.with_user(self.manager_user).qlibra_fixed_price = 1200.0
        self.assertEqual(job.qlibra_fixed_price, 1200.0)

    # --- cost frozen when logged ----------------------------------------------
    def test_cost_frozen_when_hours_are_edited(self):
        client = self._client("Frozen Cost")
        task = self._task(self._project(client))
        employee = self.env["hr.employee"].create(
            {"name": "Rate Rise", "hourly_cost": 25.0}
        )
        line = self._log(task, employee, date(2025, 1, 15), 2.0)
        self.assertAlmostEqual(
            self._line_as_manager(line).qlibra_cost, 60.0
        )  # 2 x 25 x 1.2
        employee.hourly_cost = 40.0
        line.unit_amount = 2.5
        self.assertAlmostEqual(self._line_as_manager(line).qlibra_cost, 75.0)
        # Moving the line to another project keeps its rates.
        line.write(
            {"project_id": self._project(client, name="Other").id, "task_id": False}
        )
        self.assertAlmostEqual(self._line_as_manager(line).qlibra_cost, 75.0)
        self.assertAlmostEqual(
            self._sums([("partner_id", "=", client.id)])["cost"], 75.0
        )
        # A change of the overhead rate does not rewrite it either.
        self.company.qlibra_overhead_rate = 50.0
        line.unit_amount = 2.0
        self.assertAlmostEqual(self._line_as_manager(line).qlibra_cost, 60.0)

    def test_changing_the_employee_takes_their_current_cost(self):
        task = self._task(self._project(self._client("Corrected Employee")))
        line = self._log(task, self.junior, date(2025, 1, 15), 2.0)
        self.senior.hourly_cost = 70.0
        line.employee_id = self.senior
        self.assertAlmostEqual(
            self._line_as_manager(line).qlibra_cost, 168.0
        )  # 2 x 70 x 1.2

    # --- change-request marks -------------------------------------------------
    def test_task_flag_keeps_marks_of_its_lines(self):
        task = self._task(self._project(self._client("Marks")))
        marked = self._log(task, self.senior, date(2025, 1, 15), 1.0)
        plain = self._log(task, self.senior, date(2025, 1, 16), 1.0)
        marked.qlibra_is_change_request = True
        task.qlibra_is_change_request = True
        self.assertTrue(plain.qlibra_is_change_request)
        task.qlibra_is_change_request = False
        self.assertTrue(marked.qlibra_is_change_request)
        self.assertFalse(plain.qlibra_is_change_request)
        sums = self._sums(
            [("task_id", "=", task.id)], fields=["hours", "change_request_hours"]
        )
        self.assertAlmostEqual(sums["change_request_hours"], 1.0)

    # --- included hours of a partial month --------------------------------
    def test_included_hours_pro_rata_when_renegotiated_mid_month(self):
        """Renegotiated on 16 September: each contract includes half of its
        40 monthly hours, as it earns half of its fee."""
        client = self._client("Mid-month")
        old = self._contract(
            client,
            "subscription",
            date(2025, 8, 1),
            monthly_fee=1000.0,
            included_hours=40.0,
            overage_rate=50.0,
        )
        task = self._task(self._project(client, old))
        self._log(task, self.senior, date(2025, 9, 10), 30.0)
        new = self._contract(
            client,
            "subscription",
            date(2025, 9, 16),
            monthly_fee=1000.0,
            included_hours=40.0,
            overage_rate=50.0,
            previous_contract_id=old.id,
        )
        self.assertEqual(old.date_end, date(2025, 9, 15))
        self.assertAlmostEqual(old._included_hours_in_month(date(2025, 9, 1)), 20.0)
        self.assertAlmostEqual(new._included_hours_in_month(date(2025, 9, 1)), 20.0)
        self.assertAlmostEqual(old._included_hours_in_month(date(2025, 8, 1)), 40.0)
        september = self._sums(
            [("contract_id", "=", old.id), ("date", "=", month(2025, 9))],
            groupby=["row_type"],
            fields=["revenue"],
        )
        self.assertAlmostEqual(september["fee"]["revenue"], 500.0)
        # 30 hours against 20 included: 10 extra hours at 50.
        self.assertAlmostEqual(september["overage"]["revenue"], 500.0)
        with freeze_time("2025-09-20 12:00"):
            old.invalidate_recordset()
            self.assertAlmostEqual(old.consumption_percent, 150.0)

    def test_task_without_company_shows_amounts_in_a_currency(self):
        task = self.env["project.task"].create({"name": "Private", "company_id": False})
        self.assertFalse(task.company_id)
        self.assertEqual(task.currency_id, self.env.company.currency_id)

    @freeze_time("2025-05-20 12:00")
    def test_archive_moves_later_lines_to_the_contract_that_covers_them(self):
        """Found by the oracle: lines dated after the archive day leave the
        archived contract for the one that covers them then."""
        client = self._client("Archive Later Lines")
        scoped = self._contract(client, "fixed_price", date(2025, 1, 1))
        project = self._project(client, scoped)
        wide = self._contract(client, "fixed_price", date(2025, 1, 1))
        later = self._log(self._task(project), self.senior, date(2025, 5, 31), 1.0)
        self.assertEqual(later.qlibra_contract_id, scoped)
        scoped.action_archive()
        self.env.flush_all()
        self.assertEqual(later.qlibra_contract_id, wide)

    @freeze_time("2025-05-20 12:00")
    def test_archiving_an_upcoming_contract_is_refused_clearly(self):
        """Found by the oracle: it failed on the database's date check."""
        upcoming = self._contract(
            self._client("Upcoming"), "hourly", date(2025, 6, 1), hourly_rate=10.0
        )
        with self.assertRaisesRegex(UserError, "has not started yet"):
            upcoming.action_archive()
        self.assertTrue(upcoming.active)

    @freeze_time("2025-05-20 12:00")
    def test_no_overage_in_a_month_the_contract_left(self):
        """Found by the oracle: renegotiated from 1 April, the old contract's
        May time moved to the new one; the old one earns no overage in May."""
        client = self._client("Phantom Overage")
        old = self._contract(
            client,
            "subscription",
            date(2025, 1, 1),
            monthly_fee=100.0,
            included_hours=1.0,
            overage_rate=25.0,
        )
        task = self._task(self._project(client, old))
        self._log(task, self.senior, date(2025, 5, 5), 0.5)
        self._contract(
            client,
            "subscription",
            date(2025, 4, 1),
            monthly_fee=100.0,
            included_hours=1.0,
            overage_rate=25.0,
            previous_contract_id=old.id,
        )
        may = self._sums(
            [("contract_id", "=", old.id), ("date", "=", month(2025, 5))],
            fields=["revenue"],
        )
        self.assertAlmostEqual(may["revenue"], 0.0)
