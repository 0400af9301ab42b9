# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestBrowserTours(HttpCase):
    """Screens as the firm's people click them, in Chromium (issue 13).

    Pirin Reporting runs a subscription of 20 hours a month; this month Ema
    Reporting (an employee who logs her own time) and Oleg Other logged 16
    hours each on it: 32 hours, 160% of the included hours. Last month Ema
    logged 4 hours. Vitosha Hourly works by the hour.
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
        today = fields.Date.context_today(cls.manager)
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

    def test_fixture(self):
        """What the tours read, as the server computes it."""
        self.assertEqual(
            self.subscription.display_name, "Pirin Reporting - Subscription"
        )
        self.assertEqual(self.hourly.display_name, "Vitosha Hourly - Hourly")
        contract = self.subscription.with_user(self.manager)
        self.assertAlmostEqual(contract.month_hours, 32.0)
        self.assertAlmostEqual(contract.consumption_percent, 160.0)

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
