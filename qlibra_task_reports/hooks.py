# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def set_default_report_layout(env):
    """The standard layout where there is none: else Odoo opens its layout
    dialog at an administrator's first print."""
    layout = env.ref("web.external_layout_standard", raise_if_not_found=False)
    Company = env["res.company"].with_context(active_test=False)
    if layout:
        companies = Company.search([("external_report_layout_id", "=", False)])
        companies.write({"external_report_layout_id": layout.id})


post_init_hook = set_default_report_layout
