# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "qLibra Task: Sales Timesheet Billing",
    "summary": "Flags timesheet lines that qLibra's contracts and Sales' "
    "timesheet billing count differently",
    "version": "18.0.1.0.0",
    "category": "Services/Timesheets",
    "website": "https://github.com/qlibra/qlibra-task",
    "author": "qLibra",
    "license": "LGPL-3",
    "auto_install": True,
    "depends": ["qlibra_task", "sale_timesheet"],
    "data": ["views/account_analytic_line_views.xml"],
}
