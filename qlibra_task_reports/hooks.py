# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def set_default_report_layout(env):
    """Give the standard document layout to the companies that have none.

    Without one, Odoo opens its "Configure your document layout" dialog at an
    administrator's first print (``ir.actions.report.report_action``). The
    reports print the standard layout anyway (``web.external_layout`` falls
    back on it); a company's own choice is kept.
    """
    layout = env.ref("web.external_layout_standard", raise_if_not_found=False)
    if not layout:
        return
    companies = (
        env["res.company"]
        .with_context(active_test=False)
        .search([("external_report_layout_id", "=", False)])
    )
    companies.write({"external_report_layout_id": layout.id})


def post_init_hook(env):
    set_default_report_layout(env)
