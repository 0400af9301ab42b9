# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import api, models

from ..models.qlibra_today import today as qlibra_today


class QlibraDemo(models.AbstractModel):
    """The demo story's generated records: only the demo data calls it
    (demo/qlibra_demo.xml), no production model carries it."""

    _name = "qlibra.demo"
    _description = "Client Profitability Demo Data"

    @api.model
    def _generate_timesheets(self):
        """Log six months of demo time up to last month through the ORM, as a
        user would (plans: task, employee, hours and entries a month, months
        ago); Rila Trading's time this month passes the consumption warning."""
        plans = [
            ("demo_task_rila_books", "demo_employee_georgi", 14, 7, range(1, 7)),
            ("demo_task_rila_books", "demo_employee_maria", 6, 3, range(1, 7)),
            ("demo_task_rila_payroll", "demo_employee_elena", 6, 3, range(1, 7)),
            ("demo_task_rila_adhoc", "demo_employee_maria", 6, 4, range(1, 7)),
            ("demo_task_rila_books", "demo_employee_georgi", 12, 6, (0,)),
            ("demo_task_rila_adhoc", "demo_employee_maria", 5, 2, (0,)),
            ("demo_task_vitosha_payroll", "demo_employee_elena", 10, 5, (6, 5)),
            ("demo_task_vitosha_payroll", "demo_employee_georgi", 5, 2, (6, 5)),
            ("demo_task_vitosha_annual", "demo_employee_maria", 8, 4, (5, 4, 3, 2)),
            ("demo_task_vitosha_annual", "demo_employee_georgi", 10, 5, (5, 4, 3, 2)),
            ("demo_task_vitosha_annual_cr", "demo_employee_georgi", 12, 6, (3, 2)),
            ("demo_task_vitosha_audit", "demo_employee_maria", 10, 5, (2, 1)),
            ("demo_task_vitosha_audit", "demo_employee_georgi", 10, 5, (2, 1)),
            ("demo_task_pirin_advice", "demo_employee_elena", 12, 6, range(1, 7)),
            ("demo_task_pirin_reports", "demo_employee_georgi", 8, 4, range(1, 7)),
            ("demo_task_struma_books", "demo_employee_georgi", 18, 9, range(1, 7)),
            ("demo_task_struma_books", "demo_employee_elena", 10, 5, range(1, 7)),
            ("demo_task_dental_advice", "demo_employee_maria", 3, 2, (2,)),
            ("demo_task_internal_training", "demo_employee_ivan", 8, 4, range(1, 7)),
            ("demo_task_internal_training", "demo_employee_maria", 2, 1, range(1, 7)),
        ]
        today = qlibra_today(self)
        first_of_month = today.replace(day=1)
        vals_list = []
        for task_xmlid, employee_xmlid, hours, entries, months_ago in plans:
            task = self.env.ref(f"qlibra_task.{task_xmlid}")
            employee = self.env.ref(f"qlibra_task.{employee_xmlid}")
            for months in months_ago:
                month = first_of_month - relativedelta(months=months)
                # Spread over the month, or over its days so far.
                span = 24 if months else today.day - 1
                for entry in range(entries):
                    vals_list.append(
                        {
                            "name": task.name,
                            "project_id": task.project_id.id,
                            "task_id": task.id,
                            "employee_id": employee.id,
                            "date": month + relativedelta(days=entry * span // entries),
                            "unit_amount": hours / entries,
                        }
                    )
        lines = self.env["account.analytic.line"].create(vals_list)
        # Uninstalling deletes the lines, which would otherwise keep the demo
        # projects, tasks and employees alive.
        self._set_xmlids("qlibra_task.demo_timesheet", lines)

    @api.model
    def _set_xmlids(self, prefix, records):
        """External ids <prefix>_1... of records, deleted with their module."""
        self.env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"{prefix}_{index}", "record": record, "noupdate": True}
                for index, record in enumerate(records, start=1)
            ]
        )
