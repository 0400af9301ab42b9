# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "qLibra Task: Employee Cost History",
    "summary": "Changing an employee's cost from a past date with OCA's cost "
    "history restates qLibra's frozen timesheet costs, on the record",
    "version": "18.0.1.0.0",
    "category": "Services/Timesheets",
    "website": "https://github.com/qlibra/qlibra-task",
    "author": "qLibra",
    "license": "LGPL-3",
    "auto_install": True,
    "depends": ["qlibra_task", "hr_employee_cost_history"],
}
