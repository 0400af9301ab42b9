# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo.tests import new_test_user, tagged

from odoo.addons.qlibra_task.tests.common import QlibraHttpCase


@tagged("post_install", "-at_install", "qlibra_sales")
class TestBrowserTours(QlibraHttpCase):
    """Screens as the firm's people click them, in Chromium (issue 13).

    Pirin Reporting runs a subscription of 20 hours a month; this month Ema
    Reporting (an employee who logs her own time) and Oleg Other logged 16
    hours each on it: 32 hours, 160% of the included hours. Last month Ema
    logged 4 hours. Vitosha Hourly works by the hour.

    Two clients are to renegotiate on last month's work (hours cost 30 + 20%
    overhead): Strandzha Subscription pays 100 a month for 10 included hours
    and Oleg logged 10 hours (cost 360 against 300 of fees over the last 3
    full months: margin -20%, target 30%, suggested fee 360 / 3 / 0.7 rounded
    up to 180); Musala Fixed had a fixed-price job of 1000 done last month
    that cost 40 hours (1440).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.manager = new_test_user(
            cls.env,
            login="qlibra_tour_boss",
            name="Boris Boss",
            groups="base.group_user,qlibra_task.group_qlibra_manager,"
            "hr_timesheet.group_hr_timesheet_approver",
        )
        cls.employee_user = new_test_user(
            cls.env,
            login="qlibra_tour_ema",
            name="Ema Reporting",
            groups="base.group_user,hr_timesheet.group_hr_timesheet_user",
        )
        ema = cls.env["hr.employee"].create(
            {
                "name": "Ema Reporting",
                "user_id": cls.employee_user.id,
                "hourly_cost": 30.0,
            }
        )
        oleg = cls.env["hr.employee"].create({"name": "Oleg Other", "hourly_cost": 30})
        today = cls._today_of(cls.manager)
        month = today.replace(day=1)
        client = cls.env["res.partner"].create(
            {"name": "Pirin Reporting", "is_company": True}
        )
        cls.subscription = cls.env["qlibra.contract"].create(
            {
                "partner_id": client.id,
                "contract_type": "subscription",
                "date_start": month - relativedelta(months=3),
                "monthly_fee": 1000.0,
                "included_hours": 20.0,
                "target_margin": 30.0,
                "user_id": cls.manager.id,
            }
        )
        hourly_client = cls.env["res.partner"].create(
            {"name": "Vitosha Hourly", "is_company": True}
        )
        cls.hourly = cls.env["qlibra.contract"].create(
            {
                "partner_id": hourly_client.id,
                "contract_type": "hourly",
                "date_start": month - relativedelta(months=3),
                "hourly_rate": 50.0,
                "target_margin": 30.0,
                "user_id": cls.manager.id,
            }
        )
        project = cls.env["project.project"].create(
            {
                "name": "Reporting Project",
                "partner_id": client.id,
                "allow_timesheets": True,
                "qlibra_contract_id": cls.subscription.id,
            }
        )
        task = cls.env["project.task"].create(
            {"name": "Reporting Task", "project_id": project.id}
        )
        cls.env["account.analytic.line"].create(
            [
                {
                    "name": f"Work {index}",
                    "project_id": project.id,
                    "task_id": task.id,
                    "employee_id": employee.id,
                    "date": day,
                    "unit_amount": hours,
                }
                for index, (employee, day, hours) in enumerate(
                    [
                        (ema, today, 8.0),
                        (ema, today, 8.0),
                        (oleg, today, 16.0),
                        (ema, month - relativedelta(months=1), 4.0),
                    ]
                )
            ]
        )

        last_month = month - relativedelta(months=1)
        strandzha = cls.env["res.partner"].create(
            {"name": "Strandzha Subscription", "is_company": True}
        )
        cls.strandzha_subscription = cls.env["qlibra.contract"].create(
            {
                "partner_id": strandzha.id,
                "contract_type": "subscription",
                "date_start": month - relativedelta(months=3),
                "monthly_fee": 100.0,
                "included_hours": 10.0,
                "target_margin": 30.0,
                "user_id": cls.manager.id,
            }
        )
        strandzha_project = cls.env["project.project"].create(
            {
                "name": "Strandzha Bookkeeping",
                "partner_id": strandzha.id,
                "allow_timesheets": True,
                "qlibra_contract_id": cls.strandzha_subscription.id,
            }
        )
        musala = cls.env["res.partner"].create(
            {"name": "Musala Fixed", "is_company": True}
        )
        cls.musala_fixed = cls.env["qlibra.contract"].create(
            {
                "partner_id": musala.id,
                "contract_type": "fixed_price",
                "date_start": month - relativedelta(months=3),
                "target_margin": 30.0,
                "user_id": cls.manager.id,
            }
        )
        musala_project = cls.env["project.project"].create(
            {
                "name": "Musala Closing",
                "partner_id": musala.id,
                "allow_timesheets": True,
                "qlibra_contract_id": cls.musala_fixed.id,
            }
        )
        musala_job = cls.env["project.task"].create(
            {
                "name": "Annual Closing",
                "project_id": musala_project.id,
                "qlibra_fixed_price": 1000.0,
            }
        )
        cls.env["account.analytic.line"].create(
            [
                {
                    "name": "Strandzha work",
                    "project_id": strandzha_project.id,
                    "employee_id": oleg.id,
                    "date": last_month,
                    "unit_amount": 10.0,
                },
                {
                    "name": "Musala closing work",
                    "project_id": musala_project.id,
                    "task_id": musala_job.id,
                    "employee_id": oleg.id,
                    "date": last_month,
                    "unit_amount": 40.0,
                },
            ]
        )
        musala_job.write({"state": "1_done", "qlibra_date_done": last_month})
        cls.strandzha, cls.musala, cls.pirin = strandzha, musala, client

        # Issue 24's roles, with exactly its groups: no Project or Timesheets
        # administrator among them.
        cls.role_manager = new_test_user(
            cls.env,
            login="qlibra_tour_mila",
            name="Mila Manager",
            groups="base.group_user,qlibra_task.group_qlibra_manager,"
            "project.group_project_user,hr_timesheet.group_hr_timesheet_user",
        )
        cls.role_employee = new_test_user(
            cls.env,
            login="qlibra_tour_eli",
            name="Eli Employee",
            groups="base.group_user,project.group_project_user,"
            "hr_timesheet.group_hr_timesheet_user",
        )
        cls.env["hr.employee"].create(
            {"name": "Eli Employee", "user_id": cls.role_employee.id, "hourly_cost": 30}
        )
        cls.vitosha_advisory = cls.env["project.project"].create(
            {
                "name": "Vitosha Advisory",
                "partner_id": hourly_client.id,
                "allow_timesheets": True,
            }
        )
        stage = cls.env["project.task.type"].create(
            {"name": "To Do", "project_ids": [(4, strandzha_project.id)]}
        )
        cls.env["project.task"].create(
            {
                "name": "Strandzha Monthly Books",
                "project_id": strandzha_project.id,
                "stage_id": stage.id,
            }
        )

    def test_fixture(self):
        """What the tours read, as the server computes it."""
        self.assertEqual(
            self.subscription.display_name, "Pirin Reporting - Subscription"
        )
        self.assertEqual(self.hourly.display_name, "Vitosha Hourly - Hourly")
        contract = self.subscription.with_user(self.manager)
        self.assertAlmostEqual(contract.month_hours, 32.0)
        self.assertAlmostEqual(contract.consumption_percent, 160.0)
        clients = (self.strandzha | self.musala | self.pirin).with_user(self.manager)
        to_renegotiate = clients.search(
            [("id", "in", clients.ids), ("qlibra_to_renegotiate", "=", True)]
        )
        self.assertEqual(to_renegotiate, self.strandzha | self.musala)
        strandzha, musala, pirin = (
            self.strandzha.with_user(self.manager),
            self.musala.with_user(self.manager),
            self.pirin.with_user(self.manager),
        )
        self.assertEqual(strandzha.qlibra_main_contract_id, self.strandzha_subscription)
        self.assertAlmostEqual(strandzha.qlibra_suggested_fee, 180.0)
        self.assertEqual(musala.qlibra_main_contract_type, "fixed_price")
        self.assertAlmostEqual(musala.qlibra_trailing_revenue, 1000.0)
        self.assertAlmostEqual(pirin.qlibra_consumption_percent, 160.0)

    def test_timesheet_reporting_as_manager(self):
        """Timesheets > Reporting > By Employee, By Project and By Task open
        from the menus and show the time, with qLibra installed."""
        self.start_tour(
            "/odoo",
            "qlibra_timesheet_reporting_manager_tour",
            login=self.manager.login,
        )

    def test_timesheet_reporting_as_employee(self):
        """An employee who sees only their own time opens the same reports
        (by their addresses: the Reporting menu is for approvers)."""
        for path in (
            "timesheets-by-employee",
            "timesheets-by-project",
            "timesheets-by-task",
        ):
            with self.subTest(path=path):
                self.start_tour(
                    f"/odoo/{path}",
                    "qlibra_timesheet_reporting_employee_tour",
                    login=self.employee_user.login,
                )

    def test_manager_screens(self):
        """The analysis list by month, the contracts list's terms, and a
        subscription at 160% that shows its over-consumption."""
        self.start_tour(
            "/odoo", "qlibra_manager_screens_tour", login=self.manager.login
        )

    def test_client_screens(self):
        """Clients to renegotiate: headers that read, no monthly fee on a
        fixed-price client, a contract and a renegotiation per row; the form
        of an over-consumed client says so, and leads to its contract, its
        analysis and its renegotiation."""
        self.start_tour("/odoo", "qlibra_client_screens_tour", login=self.manager.login)

    def test_role_manager(self):
        """Issue 24: a qLibra manager who is only a Project and Timesheets
        user renegotiates a subscription (the fee starts at the suggested
        180), ties a project to a contract, archives the contract and sees it
        ended, opens the analysis."""
        self.start_tour(
            "/odoo", "qlibra_role_manager_tour", login=self.role_manager.login
        )
        renegotiated = self.strandzha_subscription.next_contract_ids
        self.assertEqual(renegotiated.monthly_fee, 180.0)
        self.assertEqual(renegotiated.project_ids.name, "Strandzha Bookkeeping")
        self.assertEqual(self.vitosha_advisory.qlibra_contract_id, self.hourly)
        self.assertFalse(self.hourly.active)
        self.assertEqual(self.hourly.state, "ended")

    def test_role_employee(self):
        """Issue 24: an employee logs time on a task as a change request and
        finds no cost, revenue or margin anywhere."""
        self.start_tour(
            "/odoo", "qlibra_role_employee_tour", login=self.role_employee.login
        )
        line = self.env["account.analytic.line"].search(
            [("name", "=", "Extra report the client asked for")]
        )
        self.assertEqual(line.user_id, self.role_employee)
        self.assertTrue(line.qlibra_is_change_request)
        self.assertEqual(line.unit_amount, 2.0)
        self.assertEqual(line.qlibra_contract_id, self.strandzha_subscription)
