# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "qLibra Task: Client Portal",
    "summary": "Clients follow their contracts, hours and statements in the portal",
    "version": "18.0.1.0.0",
    "category": "Services/Timesheets",
    "website": "https://github.com/qlibra/qlibra-task",
    "author": "qLibra",
    "license": "LGPL-3",
    "depends": ["qlibra_task_reports", "portal"],
    "data": [
        "security/ir.model.access.csv",
        "security/qlibra_portal_security.xml",
        "views/qlibra_contract_views.xml",
        "views/portal_templates.xml",
    ],
    "demo": ["demo/qlibra_portal_demo.xml"],
    "assets": {
        "web.assets_tests": ["qlibra_task_portal/static/tests/tours/*.js"],
    },
}
