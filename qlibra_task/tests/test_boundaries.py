# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import QlibraCase, month


@tagged("post_install", "-at_install")
class TestContractBoundaries(QlibraCase):
    """Figures at the boundaries of contracts: renegotiation across types and
    currencies, a client-wide contract beside a project contract, tasks moved
    by people who may not move revenue, companies, contacts that move."""

    def _revenue_by_contract_month(self, partner):
        rows = self._sums(
            [("partner_id", "=", partner.id)], groupby=("contract_id", "date:month")
        )
        return {key: figures["revenue"] for key, figures in rows.items()}

    def _fixed_price_setup(self, **contract_vals):
        client = self._client("Boundary Fixed Client")
        contract = self._contract(
            client, "fixed_price", date(2025, 1, 1), **contract_vals
        )
        project = self._project(client, contract)
        delivered = self._task(project, name="Delivered job", qlibra_fixed_price=3000.0)
        pending = self._task(project, name="Open job", qlibra_fixed_price=1000.0)
        self._log(delivered, self.senior, date(2025, 1, 20), 10.0)
        self._log(pending, self.senior, date(2025, 2, 5), 4.0)
        delivered.write({"state": "1_done", "qlibra_date_done": date(2025, 2, 10)})
        return client, contract, project, delivered, pending

    def test_renegotiate_fixed_price_to_hourly(self):
        client, old, project, delivered, pending = self._fixed_price_setup()
        new = self.Contract.new(
            {
                "partner_id": client.id,
                "contract_type": "hourly",
                "previous_contract_id": old.id,
                "date_start": date(2025, 4, 1),
                "hourly_rate": 100.0,
            }
        )
        # The draft says what becomes of the priced tasks before it is saved.
        self.assertIn(
            "Delivered", new.renegotiation_note.replace("delivered", "Delivered")
        )
        self.assertIn("Open job", new.renegotiation_note)
        self.assertIn("lose their fixed price", new.renegotiation_note)
        new = self._contract(
            client,
            "hourly",
            date(2025, 4, 1),
            previous_contract_id=old.id,
            hourly_rate=100.0,
        )
        self.assertEqual(project.qlibra_contract_id, new)
        # The delivered job stays with the contract it was delivered under.
        self.assertEqual(delivered.qlibra_contract_id, old)
        self.assertEqual(delivered.qlibra_fixed_price, 3000.0)
        self.assertEqual(pending.qlibra_contract_id, new)
        self.assertEqual(pending.qlibra_fixed_price, 0.0)
        revenue = self._revenue_by_contract_month(client)
        self.assertAlmostEqual(revenue[(old, month(2025, 2))], 3000.0)
        # Time logged from April on is billed hourly, on either task.
        self._log(pending, self.senior, date(2025, 4, 3), 2.0)
        self._log(delivered, self.senior, date(2025, 4, 4), 1.0)
        revenue = self._revenue_by_contract_month(client)
        self.assertAlmostEqual(revenue[(new, month(2025, 4))], 300.0)
        self.assertAlmostEqual(revenue[(old, month(2025, 2))], 3000.0)

    def test_renegotiate_fixed_price_to_other_currency(self):
        company_currency = self.company.currency_id
        foreign = self.env.ref("base.EUR")
        if foreign == company_currency:
            foreign = self.env.ref("base.USD")
        foreign.active = True
        Rate = self.env["res.currency.rate"]
        Rate.search([("currency_id", "in", (foreign | company_currency).ids)]).unlink()
        Rate.create({"currency_id": foreign.id, "name": "2025-01-01", "rate": 2.0})
        client, old, project, delivered, pending = self._fixed_price_setup()
        before = self._revenue_by_contract_month(client)[(old, month(2025, 2))]
        self.assertAlmostEqual(before, 3000.0)
        new = self._contract(
            client,
            "fixed_price",
            date(2025, 4, 1),
            previous_contract_id=old.id,
            currency_id=foreign.id,
        )
        self.assertEqual(delivered.qlibra_contract_id, old)
        self.assertEqual(delivered.qlibra_price_currency_id, company_currency)
        # The open job moves, its price converted at the new contract's start.
        self.assertEqual(pending.qlibra_contract_id, new)
        self.assertAlmostEqual(pending.qlibra_fixed_price, 2000.0)
        revenue = self._revenue_by_contract_month(client)
        self.assertAlmostEqual(revenue[(old, month(2025, 2))], 3000.0)

    def test_client_contract_beside_project_contract(self):
        client = self._client("Boundary Two Scopes")
        whole = self._contract(client, "hourly", date(2025, 1, 1), hourly_rate=100.0)
        special = self._project(client, name="Special project")
        other = self._project(client, name="Other project")
        scoped = self._contract(
            client,
            "hourly",
            date(2025, 1, 1),
            hourly_rate=200.0,
            project_ids=[Command.link(special.id)],
        )
        in_special = self._log(self._task(special), self.junior, date(2025, 3, 3), 1.0)
        in_other = self._log(self._task(other), self.junior, date(2025, 3, 3), 1.0)
        self.assertEqual(in_special.qlibra_contract_id, scoped)
        self.assertEqual(in_other.qlibra_contract_id, whole)
        self.assertEqual(in_other.qlibra_revenue, 100.0)
        # The project contract takes another project: its time follows.
        other.qlibra_contract_id = scoped
        self.env.flush_all()
        self.assertEqual(in_other.qlibra_contract_id, scoped)
        self.assertEqual(in_other.qlibra_revenue, 200.0)
        third = self._project(client, name="Third project")
        in_third = self._log(self._task(third), self.junior, date(2025, 3, 4), 1.0)
        self.assertEqual(in_third.qlibra_contract_id, whole)
        # The project contract created after the time was logged.
        late_client = self._client("Boundary Late Scope")
        late_whole = self._contract(late_client, "hourly", date(2025, 1, 1))
        late_project = self._project(late_client, name="Late project")
        late_other = self._project(late_client, name="Late other")
        first = self._log(self._task(late_project), self.junior, date(2025, 3, 3), 1.0)
        second = self._log(self._task(late_other), self.junior, date(2025, 3, 3), 1.0)
        self.assertEqual(first.qlibra_contract_id, late_whole)
        late_scoped = self._contract(
            late_client,
            "hourly",
            date(2025, 1, 1),
            project_ids=[Command.link(late_project.id)],
        )
        self.env.flush_all()
        self.assertEqual(first.qlibra_contract_id, late_scoped)
        self.assertEqual(second.qlibra_contract_id, late_whole)

    def test_employee_cannot_move_revenue_with_a_task(self):
        client = self._client("Boundary Move From")
        other_client = self._client("Boundary Move To")
        contract = self._contract(client, "hourly", date(2025, 1, 1), hourly_rate=80.0)
        project = self._project(client, contract)
        target = self._project(other_client, name="Other client's project")
        task = self._task(project, name="Logged task")
        line = self._log(task, self.junior, date(2025, 3, 3), 2.0)
        with self.assertRaisesRegex(AccessError, "Ask a client profitability manager"):
            task.with_user(self.employee_user).write({"project_id": target.id})
        self.env.invalidate_all()
        self.assertEqual(task.project_id, project)
        self.assertEqual(line.qlibra_contract_id, contract)
        # A task without time or price moves freely.
        empty = self._task(project, name="Empty task")
        empty.with_user(self.employee_user).write({"project_id": target.id})
        self.assertEqual(empty.project_id, target)
        # Nor may an employee change the client of a project whose time counts
        # for the client's contract: Odoo's access rights refuse it first.
        whole = self._contract(other_client, "hourly", date(2025, 1, 1))
        covered = self._project(other_client, name="Covered by the client")
        self._log(self._task(covered), self.junior, date(2025, 3, 3), 1.0)
        self.assertTrue(whole)
        with self.assertRaises(AccessError):
            covered.with_user(self.employee_user).write({"partner_id": client.id})

    def test_project_contract_client_wide_time_client_change(self):
        """A project with a contract still counts its time outside that
        contract's dates for its client's contract for the whole client:
        giving the project another client moves that time and its revenue
        to the other client (SPEC, Lifecycle: a project's client), so a
        Project administrator who is not a client profitability manager
        may not (issue 21; the oracle's project_client operation checks it
        too)."""
        project_manager = new_test_user(
            self.env,
            login="qlibra_boundary_project_manager",
            groups="base.group_user,project.group_project_manager,"
            "hr_timesheet.group_hr_timesheet_user",
        )
        client = self._client("Boundary Client-wide First")
        other_client = self._client("Boundary Client-wide Then")
        whole = self._contract(client, "hourly", date(2025, 1, 1), hourly_rate=100.0)
        project = self._project(client, name="Project contract from March")
        self._contract(
            client,
            "hourly",
            date(2025, 3, 1),
            hourly_rate=150.0,
            project_ids=[Command.link(project.id)],
        )
        line = self.Line.create(
            {
                "name": "Work before the project's contract",
                "project_id": project.id,
                "employee_id": self.junior.id,
                "date": date(2025, 1, 15),
                "unit_amount": 2.0,
            }
        )
        self.assertEqual(line.qlibra_contract_id, whole)
        with self.assertRaisesRegex(AccessError, "ask a client profitability manager"):
            project.with_user(project_manager).write({"partner_id": other_client.id})
        self.env.invalidate_all()
        self.assertEqual(project.partner_id, client)
        self.assertEqual(line.qlibra_contract_id, whole)
        # A project whose time counts for its own contract only changes client
        # freely: none of its time moves.
        scoped_only = self._project(client, name="Project contract only")
        self._contract(
            client,
            "hourly",
            date(2025, 1, 1),
            project_ids=[Command.link(scoped_only.id)],
        )
        kept = self._log(self._task(scoped_only), self.junior, date(2025, 1, 15), 1.0)
        scoped_only.with_user(project_manager).write({"partner_id": other_client.id})
        self.env.flush_all()
        self.assertEqual(kept.qlibra_contract_id, scoped_only.qlibra_contract_id)
        # Time without a contract that would gain the new client's contract
        # moves revenue too: refused, and nothing changes. (Time on a task
        # stays with the task's customer: only time without a task moves.)
        uncovered = self._project(other_client, name="Project without contract")
        free = self.Line.create(
            {
                "name": "Work without a task",
                "project_id": uncovered.id,
                "employee_id": self.junior.id,
                "date": date(2025, 6, 3),
                "unit_amount": 1.0,
            }
        )
        self.assertFalse(free.qlibra_contract_id)
        with self.assertRaisesRegex(AccessError, "ask a client profitability manager"):
            uncovered.with_user(project_manager).write({"partner_id": client.id})
        self.env.invalidate_all()
        self.assertEqual(uncovered.partner_id, other_client)
        self.assertFalse(free.qlibra_contract_id)
        # A manager's act: the time without a task follows the new client.
        project.write({"partner_id": other_client.id})
        self.env.flush_all()
        self.assertFalse(line.qlibra_contract_id)
        self.assertEqual(line.qlibra_partner_id, other_client)

    def test_delivered_job_moved_keeps_its_revenue(self):
        client, old, project, delivered, pending = self._fixed_price_setup()
        other_client = self._client("Boundary Receiving Client")
        other_contract = self._contract(other_client, "fixed_price", date(2025, 1, 1))
        target = self._project(other_client, other_contract)
        # A manager may move it: the recognised revenue stays where it is.
        delivered.with_user(self.manager_user).write({"project_id": target.id})
        self.assertEqual(delivered.qlibra_contract_id, old)
        revenue = self._revenue_by_contract_month(client)
        self.assertAlmostEqual(revenue[(old, month(2025, 2))], 3000.0)
        self.assertFalse(
            self._revenue_by_contract_month(other_client).get(
                (other_contract, month(2025, 2))
            )
        )

    def test_line_belongs_to_a_contract_of_its_company(self):
        other_company = self.env["res.company"].create({"name": "Boundary Company B"})
        client = self._client("Boundary Shared Client")
        client.company_id = False
        theirs = self.Contract.create(
            {
                "partner_id": client.id,
                "contract_type": "hourly",
                "date_start": date(2025, 1, 1),
                "hourly_rate": 100.0,
                "company_id": other_company.id,
            }
        )
        project = self._project(client, name="Project without company")
        project.company_id = False
        project.qlibra_contract_id = theirs
        line = self._log(self._task(project), self.junior, date(2025, 3, 3), 2.0)
        self.assertEqual(line.company_id, self.company)
        self.assertFalse(line.qlibra_contract_id)
        self.assertEqual(line.qlibra_revenue, 0.0)
        # The client's contract of the line's own company takes it.
        ours = self._contract(client, "hourly", date(2025, 1, 1), hourly_rate=50.0)
        self.env.flush_all()
        self.assertEqual(line.qlibra_contract_id, ours)

    def test_line_moved_to_another_company_keeps_its_cost(self):
        """A line keeps the rates it was logged with when it moves to
        another company's project (SPEC, Rules: moving the line keeps
        them); it then counts for that company's contracts only."""
        self.company.qlibra_overhead_rate = 50.0
        other_company = self.env["res.company"].create({"name": "Boundary Company C"})
        other_company.qlibra_overhead_rate = 20.0
        client = self._client("Boundary Moved Line Client")
        line = self._log(
            self._task(self._project(client)), self.junior, date(2025, 3, 3), 2.0
        )
        cost = line.qlibra_cost
        self.assertAlmostEqual(cost, 2.0 * self.junior.hourly_cost * 1.5)
        theirs = self._contract(
            client,
            "hourly",
            date(2025, 1, 1),
            hourly_rate=70.0,
            company_id=other_company.id,
        )
        target = self._project(client, name="Project of Company C")
        target.company_id = other_company
        line.write({"project_id": target.id, "task_id": False})
        self.env.flush_all()
        self.assertEqual(line.company_id, other_company)
        self.assertEqual(line.qlibra_overhead_rate, 50.0)
        self.assertAlmostEqual(line.qlibra_cost, cost)
        self.assertEqual(line.qlibra_contract_id, theirs)
        self.assertAlmostEqual(line.qlibra_revenue, 140.0)

    def test_contact_moving_company_leaves_its_time(self):
        client = self._client("Boundary First Employer")
        new_employer = self._client("Boundary Second Employer")
        contact = self.env["res.partner"].create(
            {"name": "Moving Contact", "parent_id": client.id}
        )
        contract = self._contract(client, "hourly", date(2025, 1, 1), hourly_rate=90.0)
        project = self.env["project.project"].create(
            {"name": "Contact's project", "partner_id": contact.id}
        )
        line = self._log(self._task(project), self.junior, date(2025, 3, 3), 1.0)
        self.assertEqual(line.qlibra_contract_id, contract)
        contact.parent_id = new_employer
        self._contract(new_employer, "hourly", date(2025, 1, 1), hourly_rate=10.0)
        self.env.flush_all()
        self.assertEqual(line.qlibra_contract_id, contract)
        self.assertEqual(line.qlibra_partner_id, client)
        self.assertEqual(line.qlibra_revenue, 90.0)
