# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "qLibra Task: Client Profitability",
    "summary": "Client contracts, timesheet cost, revenue and per-client "
    "profitability with early warnings",
    "version": "18.0.1.6.0",
    "category": "Services/Timesheets",
    "website": "https://github.com/qlibra/qlibra-task",
    "author": "qLibra",
    "license": "LGPL-3",
    "application": True,
    "depends": ["hr_timesheet"],
    "pre_init_hook": "pre_init_hook",
    "uninstall_hook": "uninstall_hook",
    "data": [
        "security/qlibra_security.xml",
        "security/ir.model.access.csv",
        "security/qlibra_warning_security.xml",
        "data/mail_activity_type_data.xml",
        "data/qlibra_cron.xml",
        "views/qlibra_contract_views.xml",
        "report/qlibra_profitability_report_views.xml",
        "views/res_partner_views.xml",
        "views/project_project_views.xml",
        "views/project_task_views.xml",
        "views/account_analytic_line_views.xml",
        "views/hr_employee_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/qlibra_cost_restatement_views.xml",
        "views/qlibra_menus.xml",
        "views/qlibra_warning_views.xml",
    ],
    "demo": ["demo/qlibra_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "qlibra_task/static/src/views/company_monetary_formatter.js",
            "qlibra_task/static/src/views/percent_field.js",
            "qlibra_task/static/src/views/percent_field.xml",
        ],
        "web.assets_tests": ["qlibra_task/static/tests/tours/*.js"],
    },
}
