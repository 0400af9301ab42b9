# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "qLibra Task: Client Profitability Dashboard",
    "summary": "Client profitability dashboard in Odoo's Dashboards app",
    "version": "18.0.1.0.0",
    "category": "Productivity/Dashboard",
    "website": "https://github.com/qlibra/qlibra-task",
    "author": "qLibra",
    "license": "LGPL-3",
    "auto_install": True,
    "depends": ["qlibra_task", "spreadsheet_dashboard"],
    "data": ["data/dashboards.xml"],
    "assets": {
        "web.assets_tests": ["qlibra_task_dashboard/static/tests/tours/*.js"],
    },
}
