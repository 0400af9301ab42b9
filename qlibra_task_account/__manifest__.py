# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "qLibra Task: Earned vs Invoiced",
    "summary": "Invoiced revenue, earned vs invoiced and realization % per "
    "client and month, next to the contracts' revenue",
    "version": "18.0.1.0.0",
    "category": "Services/Timesheets",
    "website": "https://github.com/qlibra/qlibra-task",
    "author": "qLibra",
    "license": "LGPL-3",
    "auto_install": True,
    "depends": ["account", "qlibra_task", "qlibra_task_reports"],
    "uninstall_hook": "uninstall_hook",
    "data": [
        "report/qlibra_profitability_report_views.xml",
        "report/templates/profitability.xml",
        "report/templates/client_statement.xml",
    ],
    "demo": ["demo/qlibra_task_account_demo.xml"],
}
