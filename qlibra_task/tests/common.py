# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import fields, http
from odoo.tests import HttpCase, TransactionCase, new_test_user


class QlibraRecords:
    """Builders of the records a test needs: client, contract, project, task,
    timesheet line (for transaction and browser cases alike)."""

    @staticmethod
    def _today_of(user):
        """The user's own today, in their timezone, as the product computes
        it: the record of a test's environment would give its user's."""
        return fields.Date.context_today(user.with_user(user))

    @classmethod
    def _client(cls, name):
        return cls.env["res.partner"].create({"name": name, "is_company": True})

    @classmethod
    def _contract(cls, partner, contract_type, start, end=None, **vals):
        return cls.env["qlibra.contract"].create(
            {
                "partner_id": partner.id,
                "contract_type": contract_type,
                "date_start": start,
                "date_end": end,
                "target_margin": 30.0,
                **vals,
            }
        )

    @classmethod
    def _project(cls, partner, contract=None, name=None):
        return cls.env["project.project"].create(
            {
                "name": name or f"Project {partner.name}",
                "partner_id": partner.id,
                "allow_timesheets": True,
                "qlibra_contract_id": contract.id if contract else False,
            }
        )

    @classmethod
    def _task(cls, project, name="Task", **vals):
        return cls.env["project.task"].create(
            {"name": name, "project_id": project.id, **vals}
        )

    @classmethod
    def _log(cls, task, employee, day, hours, **vals):
        return cls.env["account.analytic.line"].create(
            {
                "name": "Work",
                "project_id": task.project_id.id,
                "task_id": task.id,
                "employee_id": employee.id,
                "date": day,
                "unit_amount": hours,
                **vals,
            }
        )


class QlibraCase(QlibraRecords, TransactionCase):
    """A small firm: 20% overhead, two costed employees, one without cost."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.qlibra_overhead_rate = 20.0
        cls.Contract = cls.env["qlibra.contract"]
        cls.Line = cls.env["account.analytic.line"]
        cls.Report = cls.env["qlibra.profitability.report"]
        cls.senior = cls.env["hr.employee"].create(
            {"name": "Senior", "hourly_cost": 50.0}
        )
        cls.junior = cls.env["hr.employee"].create(
            {"name": "Junior", "hourly_cost": 25.0}
        )
        cls.intern = cls.env["hr.employee"].create({"name": "Intern"})
        cls.client = cls.env["res.partner"].create(
            {"name": "Client Subscription", "is_company": True}
        )
        cls.client_contact = cls.env["res.partner"].create(
            {"name": "Client Contact", "parent_id": cls.client.id}
        )
        cls.manager_user = new_test_user(
            cls.env,
            login="qlibra_manager",
            # The role of issue 24: a qLibra manager is a Project and
            # Timesheets user, not their administrator.
            groups="base.group_user,qlibra_task.group_qlibra_manager,"
            "project.group_project_user,hr_timesheet.group_hr_timesheet_user",
        )
        cls.accountant_user = new_test_user(
            cls.env,
            login="qlibra_accountant",
            groups="base.group_user,qlibra_task.group_qlibra_accountant,"
            "hr_timesheet.group_hr_timesheet_user",
        )
        cls.employee_user = new_test_user(
            cls.env,
            login="qlibra_employee",
            groups="base.group_user,hr_timesheet.group_hr_timesheet_user,"
            "project.group_project_user",
        )
        cls.employee_of_user = cls.env["hr.employee"].create(
            {
                "name": "Employee",
                "user_id": cls.employee_user.id,
                "hourly_cost": 30.0,
            }
        )

    def _sums(self, domain, groupby=(), fields=("hours", "cost", "revenue", "margin")):
        """Sum report columns over domain; one dict, or one per group key."""
        self.env.flush_all()
        aggregates = [f"{fname}:sum" for fname in fields]
        rows = self.Report._read_group(domain, list(groupby), aggregates)
        result = {}
        for row in rows:
            key = row[: len(groupby)]
            result[key if len(key) > 1 else (key[0] if key else None)] = dict(
                zip(fields, row[len(groupby) :], strict=True)
            )
        return result if groupby else result.get(None, dict.fromkeys(fields, 0.0))


def month(year, month_number):
    return date(year, month_number, 1)


def run_scheduled_actions(env):
    """Run every scheduled action of the qLibra add-ons, as the scheduler
    would (its user, its action); return their names."""
    crons = env["ir.cron"].browse(
        env["ir.model.data"]
        .search([("model", "=", "ir.cron"), ("module", "=like", "qlibra%")])
        .mapped("res_id")
    )
    for cron in crons:
        cron.method_direct_trigger()
    env.invalidate_all()
    return crons.mapped("name")


class QlibraHttpCase(QlibraRecords, HttpCase):
    """HttpCase whose browser never reads a manifest in parallel threads.

    A browser's first page asks for its assets in parallel; each request
    thread then parses every add-on's manifest to build the server's static
    paths, and CPython 3.11's parser is not thread-safe there ("AST
    constructor recursion depth mismatch", CPython gh-106905): one asset
    request fails at random with a 500. Building them once here first
    leaves the threads nothing to parse."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a lazy property: reading it builds and keeps it
        cls.static_paths = http.root.statics
