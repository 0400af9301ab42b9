# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Each role, each click (issue 24): every qLibra act tried as a qLibra
manager, an accountant and an employee, none of them a Project or Timesheets
administrator. A manager succeeds; the others get a clear refusal."""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import QlibraCase

ASK_A_MANAGER = "Ask a client profitability manager"


@tagged("post_install", "-at_install")
class TestRoleActs(QlibraCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.roles = {
            "manager": cls.manager_user,
            "accountant": cls.accountant_user,
            "employee": cls.employee_user,
        }
        # Each role needs a project user's view of the projects it works on.
        cls.accountant_user.groups_id += cls.env.ref("project.group_project_user")

    def test_roles_are_not_administrators(self):
        for role, user in self.roles.items():
            for group in (
                "project.group_project_manager",
                "hr_timesheet.group_hr_timesheet_approver",
                "hr_timesheet.group_timesheet_manager",
                "base.group_system",
            ):
                with self.subTest(role=role, group=group):
                    self.assertFalse(user.has_group(group))

    def _setup_client(self, name):
        client = self._client(name)
        subscription = self._contract(
            client,
            "subscription",
            date(2025, 1, 1),
            monthly_fee=1200.0,
            included_hours=10.0,
        )
        project = self._project(client, subscription, name=f"{name} Books")
        task = self._task(project)
        line = self._log(task, self.senior, date(2025, 2, 3), 2.0)
        fixed = self._contract(
            client,
            "fixed_price",
            date(2025, 1, 1),
            project_ids=[(0, 0, {"name": f"{name} Jobs", "partner_id": client.id})],
        )
        job = self._task(fixed.project_ids)
        spare = self._project(client, name=f"{name} Spare")
        return client, subscription, project, task, line, fixed, job, spare

    def _refused(self, role):
        """The refusal a role gets: none for a manager, else an access error
        that says what to do."""
        if role == "manager":
            return None
        # AccessError is a UserError.
        return self.assertRaises(UserError)

    def _act(self, role, act):
        refused = self._refused(role)
        if refused is None:
            return act()
        with refused as error:
            act()
        # Who can do it instead: a manager (qLibra's refusals) or Odoo's
        # administrator (a field the role does not even see).
        self.assertRegex(str(error.exception), r"(?i)manager|administrator")
        return None

    @freeze_time("2025-05-10")
    def test_renegotiate(self):
        for role, user in self.roles.items():
            with self.subTest(role=role):
                __, subscription, project, *__ = self._setup_client(f"Reneg {role}")

                def renegotiate(subscription=subscription, user=user):
                    contract = subscription.with_user(user)
                    action = contract.action_renegotiate()
                    with Form(
                        contract.with_context(**action["context"]).browse()
                    ) as form:
                        form.monthly_fee = 1500.0
                    return form.save()

                new = self._act(role, renegotiate)
                if role == "manager":
                    self.assertEqual(new.previous_contract_id, subscription)
                    self.assertEqual(project.qlibra_contract_id, new)
                    self.assertEqual(subscription.date_end, date(2025, 5, 31))
                else:
                    self.assertEqual(project.qlibra_contract_id, subscription)
                    self.assertFalse(subscription.date_end)

    @freeze_time("2025-05-10")
    def test_archive(self):
        for role, user in self.roles.items():
            with self.subTest(role=role):
                __, subscription, *__ = self._setup_client(f"Archive {role}")
                self._act(role, subscription.with_user(user).action_archive)
                self.assertEqual(subscription.active, role != "manager")

    def test_restate_costs(self):
        for role, user in self.roles.items():
            with self.subTest(role=role):
                # Each role's line is logged at 50 an hour, then the cost rises.
                self.senior.hourly_cost = 50.0
                *__, line, _fixed, _job, _spare = self._setup_client(f"Restate {role}")
                self.senior.hourly_cost = 60.0

                def restate(user=user, line=line):
                    form = Form(
                        self.env["qlibra.cost.restatement"]
                        .with_user(user)
                        .with_context(
                            active_model="account.analytic.line", active_ids=line.ids
                        )
                    )
                    form.reason = "New rates"
                    form.save().action_apply()

                self._act(role, restate)
                # 2 h x 60 x 1.2 once restated; 2 h x 50 x 1.2 as logged.
                self.assertAlmostEqual(
                    line.qlibra_cost, 144.0 if role == "manager" else 120.0
                )

    def test_tie_projects_to_contracts(self):
        for role, user in self.roles.items():
            with self.subTest(role=role):
                __, subscription, project, __, __, fixed, __, spare = (
                    self._setup_client(f"Tie {role}")
                )
                # From the project...
                self._act(
                    role,
                    lambda spare=spare, user=user, fixed=fixed: spare.with_user(
                        user
                    ).write({"qlibra_contract_id": fixed.id}),
                )
                # ...and from the contract's list of projects.
                self._act(
                    role,
                    lambda subscription=subscription, user=user, project=project: (
                        subscription.with_user(user).write(
                            {"project_ids": [(3, project.id)]}
                        )
                    ),
                )
                manager = role == "manager"
                self.assertEqual(
                    spare.qlibra_contract_id, fixed if manager else self.Contract
                )
                self.assertEqual(
                    project.qlibra_contract_id,
                    subscription.browse() if manager else subscription,
                )

    def test_project_other_fields_stay_with_project_administrators(self):
        """Setting a contract does not open the rest of the project."""
        __, __, project, *__ = self._setup_client("Project Rights")
        with self.assertRaises(AccessError):
            project.with_user(self.manager_user).write(
                {"name": "Renamed", "qlibra_contract_id": False}
            )
        self.assertTrue(project.qlibra_contract_id)

    def test_task_contract_fixed_price_and_done_date(self):
        for role, user in self.roles.items():
            with self.subTest(role=role):
                __, subscription, __, task, __, fixed, job, __ = self._setup_client(
                    f"Task {role}"
                )
                for record, vals in (
                    (job, {"qlibra_fixed_price": 900.0}),
                    (job, {"qlibra_date_done": date(2025, 3, 3)}),
                    (task, {"qlibra_contract_id": fixed.id}),
                ):
                    self._act(
                        role,
                        lambda record=record, vals=vals, user=user: record.with_user(
                            user
                        ).write(vals),
                    )
                manager = role == "manager"
                self.assertEqual(job.qlibra_fixed_price, 900.0 if manager else 0.0)
                self.assertEqual(
                    job.qlibra_date_done, date(2025, 3, 3) if manager else False
                )
                self.assertEqual(
                    task.qlibra_contract_id, fixed if manager else subscription
                )

    def test_refusals_say_what_to_do(self):
        __, __, __, task, __, fixed, job, spare = self._setup_client("Refusals")
        for record, vals in (
            (job.with_user(self.accountant_user), {"qlibra_fixed_price": 5.0}),
            (task.with_user(self.employee_user), {"qlibra_contract_id": fixed.id}),
            (spare.with_user(self.accountant_user), {"qlibra_contract_id": fixed.id}),
        ):
            with self.subTest(model=record._name, vals=vals):
                with self.assertRaises(AccessError) as error:
                    record.write(vals)
                self.assertIn(ASK_A_MANAGER, str(error.exception))
        with self.assertRaises(AccessError) as error:
            fixed.with_user(self.accountant_user).action_renegotiate()
        self.assertIn(ASK_A_MANAGER, str(error.exception))
