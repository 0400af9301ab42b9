# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "qLibra Task: Client Statements and Profitability Reports",
    "summary": "Client statements, service reviews and profitability reports "
    "as PDF and Excel, with wizards and sending by e-mail",
    "version": "18.0.1.0.0",
    "category": "Services/Timesheets",
    "website": "https://github.com/qlibra/qlibra-task",
    "author": "qLibra",
    "license": "LGPL-3",
    "depends": ["qlibra_task", "report_xlsx"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/ir.model.access.csv",
        "report/qlibra_task_reports.xml",
        "report/templates/client_statement.xml",
        "report/templates/profitability.xml",
        "report/templates/service_review.xml",
        "data/mail_template_data.xml",
        "wizards/qlibra_statement_wizard_views.xml",
        "wizards/qlibra_service_review_wizard_views.xml",
        "views/res_partner_views.xml",
    ],
    "post_init_hook": "post_init_hook",
    "assets": {
        "web.assets_backend": ["qlibra_task_reports/static/src/js/*.esm.js"],
        "web.assets_tests": ["qlibra_task_reports/static/tests/tours/*.js"],
    },
}
