# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import QlibraCase


@tagged("post_install", "-at_install")
class TestContract(QlibraCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subscription = cls._contract(
            cls.client,
            "subscription",
            date(2025, 1, 1),
            date(2025, 12, 31),
            monthly_fee=1000.0,
            included_hours=10.0,
        )

    def assertRejected(self, vals, message_part, contract=None):
        """The change raises a clear error and leaves the data as it was."""
        contract = contract or self.subscription
        before = contract.read(list(vals))[0]
        count = self.Contract.search_count([])
        with self.assertRaises(ValidationError) as error:
            with self.env.cr.savepoint():
                contract.write(vals)
                self.env.flush_all()
        self.assertIn(message_part, str(error.exception))
        contract.invalidate_recordset()
        self.assertEqual(contract.read(list(vals))[0], before)
        self.assertEqual(self.Contract.search_count([]), count)

    def test_name_defaults_to_client_and_type(self):
        self.assertEqual(self.subscription.name, "Client Subscription - Subscription")

    def test_end_before_start(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.subscription.write({"date_end": date(2024, 12, 31)})
                self.env.flush_all()
        self.subscription.invalidate_recordset()
        self.assertEqual(self.subscription.date_end, date(2025, 12, 31))

    def test_negative_amounts(self):
        for fname in ("monthly_fee", "included_hours", "overage_rate", "hourly_rate"):
            with self.subTest(field=fname):
                self.assertRejected({fname: -1.0}, "cannot be negative")

    def test_target_margin_range(self):
        self.assertRejected({"target_margin": 100.0}, "target margin")
        self.assertRejected({"target_margin": -5.0}, "target margin")

    def test_subscription_needs_included_hours(self):
        self.assertRejected({"included_hours": 0.0}, "hours included each month")
        with self.assertRaises(ValidationError):
            self._contract(self._client("No Hours"), "subscription", date(2025, 1, 1))

    def test_overlap_same_scope(self):
        count = self.Contract.search_count([])
        with self.assertRaises(ValidationError) as error:
            self._contract(self.client, "hourly", date(2025, 6, 1), hourly_rate=80)
        self.assertIn("overlapping periods", str(error.exception))
        self.assertEqual(self.Contract.search_count([]), count)

    def test_overlap_open_ended(self):
        client = self._client("Open Ended")
        self._contract(client, "hourly", date(2025, 1, 1), hourly_rate=80)
        with self.assertRaises(ValidationError):
            self._contract(client, "hourly", date(2030, 1, 1), hourly_rate=90)

    def test_no_overlap_for_consecutive_or_separate_scope(self):
        following = self._contract(
            self.client, "hourly", date(2026, 1, 1), hourly_rate=80
        )
        self.assertTrue(following)
        # Another project-scoped contract may run at the same time.
        project_contract = self._contract(
            self.client,
            "fixed_price",
            date(2025, 3, 1),
            project_ids=[(0, 0, {"name": "Website", "partner_id": self.client.id})],
        )
        self.assertTrue(project_contract.project_ids)

    def test_fixed_price_only_on_fixed_price_contracts(self):
        project = self._project(self.client, self.subscription)
        with self.assertRaises(ValidationError) as error:
            self._task(project, qlibra_fixed_price=500.0)
        self.assertIn("not a fixed-price contract", str(error.exception))
        self.assertFalse(
            self.env["project.task"].search([("project_id", "=", project.id)])
        )
        fixed = self._contract(self._client("Fixed"), "fixed_price", date(2025, 1, 1))
        task = self._task(
            self._project(fixed.partner_id, fixed), qlibra_fixed_price=500
        )
        self.assertEqual(task.qlibra_fixed_price, 500.0)
        with self.assertRaises(ValidationError):
            task.qlibra_fixed_price = -1.0

    def test_state(self):
        today = date.today()
        self.assertEqual(
            self.subscription.state, "ended" if today.year > 2025 else "running"
        )
        upcoming = self._contract(
            self._client("Later"), "hourly", date(today.year + 1, 1, 1), hourly_rate=1
        )
        self.assertEqual(upcoming.state, "upcoming")
        self.assertIn(upcoming, self.Contract.search([("state", "=", "upcoming")]))
        self.assertNotIn(upcoming, self.Contract.search([("state", "!=", "upcoming")]))

    def test_renegotiate_closes_previous_and_moves_projects(self):
        client = self._client("Renegotiated")
        old = self._contract(
            client, "subscription", date(2025, 1, 1), monthly_fee=500, included_hours=5
        )
        project = self._project(client, old)
        action = old.action_renegotiate()
        with Form(
            self.Contract.with_context(**action["context"]).with_user(self.manager_user)
        ) as form:
            form.date_start = date(2025, 7, 1)
            form.monthly_fee = 800.0
        new = form.save()
        self.assertEqual(new.previous_contract_id, old)
        self.assertEqual(old.date_end, date(2025, 6, 30))
        self.assertEqual(project.qlibra_contract_id, new)
        self.assertEqual(old.sudo().monthly_fee, 500.0, "the past keeps its terms")
        self.assertEqual(new.included_hours, 5.0)

    def test_renegotiate_project_contract_beside_client_wide_one(self):
        """Regression: the successor was checked for overlaps before it took
        over its predecessor's projects, as if it covered the whole client,
        so renegotiating a project's subscription next to a client-wide
        contract was refused."""
        client = self._client("Two Scopes")
        client_wide = self._contract(client, "hourly", date(2025, 1, 1), hourly_rate=60)
        old = self._contract(
            client,
            "subscription",
            date(2025, 1, 1),
            monthly_fee=500,
            included_hours=5,
            project_ids=[(0, 0, {"name": "Retainer", "partner_id": client.id})],
        )
        project = old.project_ids
        new = self._contract(
            client,
            "subscription",
            date(2025, 7, 1),
            monthly_fee=800,
            included_hours=5,
            previous_contract_id=old.id,
        )
        self.assertEqual(project.qlibra_contract_id, new)
        self.assertEqual(new.project_ids, project)
        self.assertEqual(old.date_end, date(2025, 6, 30))
        # The old contract keeps its project's scope over its own dates, and
        # the project's time follows the chain.
        self.assertEqual(old._scope_projects(), project)
        task = self._task(project)
        early = self._log(task, self.junior, date(2025, 3, 3), 1.0)
        late = self._log(task, self.junior, date(2025, 8, 4), 1.0)
        self.assertEqual(early.qlibra_contract_id, old)
        self.assertEqual(late.qlibra_contract_id, new)
        self.assertTrue(client_wide.active)

    def test_project_contract_onchange_sets_partner(self):
        with Form(self.env["project.project"]) as form:
            form.name = "From contract"
            form.qlibra_contract_id = self.subscription
            self.assertEqual(form.partner_id, self.client)

    def test_archive_keeps_history_and_delete_is_refused(self):
        client = self._client("Archived")
        contract = self._contract(client, "hourly", date(2025, 1, 1), hourly_rate=50)
        # Time on a project without contract: resolved through the client.
        task = self._task(self._project(client, name="Loose"))
        line = self._log(task, self.junior, date(2025, 2, 3), 2.0)
        self.assertEqual(line.qlibra_contract_id, contract)
        contract.action_archive()
        self.env.flush_all()
        line.invalidate_recordset()
        self.assertEqual(line.qlibra_contract_id, contract)
        self.assertEqual(
            self._sums([("partner_id", "=", client.id)], fields=["revenue"]),
            {"revenue": 100.0},
        )
        with self.assertRaises(UserError) as error:
            contract.unlink()
        self.assertIn("archive it instead", str(error.exception))
        self.assertTrue(contract.exists())
        # A contract without logged time can go.
        unused = self._contract(self._client("Unused"), "hourly", date(2025, 1, 1))
        unused.unlink()
        self.assertFalse(unused.exists())
