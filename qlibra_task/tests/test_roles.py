# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Each role, each click (issue 24): every qLibra act tried as a qLibra
manager, an accountant and an employee, none of them a Project or Timesheets
administrator. A manager succeeds; the others get a clear refusal."""

from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

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


@tagged("post_install", "-at_install")
class TestRoleScreens(QlibraCase):
    """What each role sees on the screens of issue 24."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = cls._today_of(cls.manager_user)
        cls.month = cls.today.replace(day=1)

    def _subscription(self, name, **vals):
        client = self._client(name)
        contract = self._contract(
            client,
            "subscription",
            self.month - relativedelta(months=3),
            monthly_fee=100.0,
            included_hours=10.0,
            user_id=self.manager_user.id,
            **vals,
        )
        project = self._project(client, contract)
        return client, contract, project

    def test_renegotiation_starts_from_the_suggested_fee(self):
        """10 hours last month at 50 x 1.2: 600 over the 3 months under
        contract, 200 a month / (1 - 30%) = 285.71, rounded up to 290."""
        client, old, project = self._subscription("Suggested")
        self._log(
            self._task(project), self.senior, self.month - relativedelta(months=1), 10.0
        )
        self.env.flush_all()
        self.assertEqual(
            client.with_user(self.manager_user).qlibra_suggested_fee, 290.0
        )
        old = old.with_user(self.manager_user)
        action = old.action_renegotiate()
        with Form(old.with_context(**action["context"]).browse()) as form:
            self.assertEqual(form.monthly_fee, 290.0)
            self.assertIn("290.00", form.suggested_fee_note)
            self.assertIn("30% target margin", form.suggested_fee_note)
            self.assertIn("last 3 full months", form.suggested_fee_note)
            # The projects go over with the contract, shown on the draft.
            self.assertEqual(len(form.project_ids), 1)
        new = form.save()
        self.assertEqual(new.monthly_fee, 290.0)
        self.assertEqual(new.project_ids, project)
        self.assertEqual(project.qlibra_contract_id, new)
        self.assertFalse(new.suggested_fee_note, "a saved contract keeps its fee")

    def test_renegotiation_without_suggestion_keeps_the_fee(self):
        """No cost in the trailing months: no suggestion, the old fee."""
        __, old, __ = self._subscription("Quiet Client")
        old = old.with_user(self.manager_user)
        action = old.action_renegotiate()
        with Form(old.with_context(**action["context"]).browse()) as form:
            self.assertEqual(form.monthly_fee, 100.0)
            self.assertFalse(form.suggested_fee_note)

    def test_archive_ends_the_contract_on_screen(self):
        __, contract, __ = self._subscription("Archived Today")
        contract = contract.with_user(self.manager_user)
        self.assertEqual(contract.state, "running")
        contract.action_archive()
        self.assertEqual(contract.date_end, self.today)
        self.assertEqual(contract.state, "ended")
        Contract = self.Contract.with_context(active_test=False)
        self.assertIn(contract, Contract.search([("state", "=", "ended")]))
        self.assertNotIn(contract, Contract.search([("state", "=", "running")]))
        contract.action_unarchive()
        self.assertEqual(contract.state, "running", "it ends at the end of today")

    def test_archive_asks_first_and_hides_the_acts_of_a_running_contract(self):
        Contract = self.Contract.with_user(self.manager_user)
        # Odoo's gear-menu Archive, which says nothing, is not offered...
        self.assertTrue(Contract.fields_get(["active"])["active"]["readonly"])
        arch = etree.fromstring(
            Contract.get_views([(False, "form")])["views"]["form"]["arch"]
        )
        # ...the form's own Archive asks, and says what archiving does.
        archive = arch.xpath("//header/button[@name='action_archive']")[0]
        self.assertIn("ends this contract today", archive.get("confirm"))
        self.assertIn("not active", archive.get("invisible"))
        renegotiate = arch.xpath("//header/button[@name='action_renegotiate']")[0]
        self.assertIn("not active", renegotiate.get("invisible"))
        self.assertIn("state == 'ended'", renegotiate.get("invisible"))
        # Employees see neither.
        arch = Contract.with_user(self.employee_user).get_views([(False, "form")])
        self.assertNotIn("action_archive", arch["views"]["form"]["arch"])

    def test_clients_menu(self):
        """Companies and individuals with a contract, archived or not, or
        with time; never the firm itself nor a partner without either."""
        firm = self.company.partner_id
        self._contract(firm, "non_billable", date(2025, 1, 1))
        self._log(self._task(self._project(firm)), self.senior, date(2025, 2, 3), 1.0)
        person = self.env["res.partner"].create({"name": "Ivan Individual"})
        self._contract(person, "hourly", date(2025, 1, 1), hourly_rate=80.0)
        archived = self._client("Former Client")
        self._contract(
            archived, "hourly", date(2025, 1, 1), hourly_rate=80.0
        ).action_archive()
        time_only = self._client("Time Only")
        self._log(
            self._task(self._project(time_only)), self.senior, date(2025, 2, 3), 1.0
        )
        nobody = self._client("Not A Client")
        action = self.env.ref("qlibra_task.res_partner_action_qlibra_clients")
        partners = (
            self.env["res.partner"]
            .with_user(self.accountant_user)
            .search(safe_eval(action.domain))
        )
        self.assertIn(person, partners)
        self.assertIn(archived, partners)
        self.assertIn(time_only, partners)
        self.assertNotIn(firm, partners)
        self.assertNotIn(nobody, partners)
        # The individual's form shows its contracts like a company's.
        arch = etree.fromstring(
            self.env["res.partner"]
            .with_user(self.accountant_user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        page = arch.xpath("//page[@name='qlibra_contracts']")[0]
        self.assertEqual(
            page.get("invisible"), "not is_company and not qlibra_contract_count"
        )

    def test_hours_and_percentages_read_as_such(self):
        """Hours as HH:MM in every list and form of qLibra's views, decimals
        in the pivot; every percentage with its % sign."""
        views = self.env["ir.ui.view"].browse(
            self.env["ir.model.data"]
            .search([("module", "=", "qlibra_task"), ("model", "=", "ir.ui.view")])
            .mapped("res_id")
        )
        percents = {
            "margin_percent",
            "target_margin",
            "qlibra_target_margin",
            "qlibra_trailing_margin_percent",
            "qlibra_change_request_share",
            "threshold",
            "value",
        }
        checked = 0
        for view in views.filtered(lambda v: v.type in ("list", "form", "pivot")):
            arch = etree.fromstring(view.arch_db)
            for field in arch.iter("field"):
                name = field.get("name", "")
                parent = field.getparent()
                if field.get("position") or (
                    parent is not None and parent.tag == "xpath"
                ):
                    continue
                with self.subTest(view=view.xml_id, field=name):
                    if "hours" in name and view.type != "pivot":
                        checked += 1
                        self.assertEqual(field.get("widget"), "float_time")
                    if name in percents:
                        checked += 1
                        self.assertIn(
                            field.get("widget"), ("qlibra_percent", "integer")
                        )
        self.assertGreater(checked, 15)
        pivot = self.env.ref("qlibra_task.qlibra_profitability_report_view_pivot")
        self.assertNotIn("float_time", pivot.arch_db)
        contracts = self.env.ref("qlibra_task.view_partner_form").arch_db
        self.assertIn('<field name="date_start" width="110px"/>', contracts)
