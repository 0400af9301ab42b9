# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from odoo.addons.qlibra_task.tests.common import QlibraCase


@tagged("post_install", "-at_install")
class TestViews(QlibraCase):
    """The filter and the column reach qLibra's timesheet lines, and nothing
    reaches Odoo's timesheet reporting."""

    def _arch(self, model, view, view_type, user):
        return (
            self.env[model]
            .with_user(user)
            .get_views([(view.id, view_type)])["views"][view_type]["arch"]
        )

    def test_extensions_validate_in_every_view_they_reach(self):
        data = self.env["ir.model.data"].search(
            [("module", "=", "qlibra_task_sale"), ("model", "=", "ir.ui.view")]
        )
        extensions = self.env["ir.ui.view"].browse(data.mapped("res_id"))
        self.assertEqual(len(extensions), 2)
        for extension in extensions:
            root = extension
            while root.mode != "primary":
                root = root.inherit_id
            views = root
            todo = root.inherit_children_ids
            while todo:
                views |= todo.filtered(lambda v: v.mode == "primary")
                todo = todo.inherit_children_ids
            for view in views:
                with self.subTest(extension=extension.xml_id, view=view.xml_id):
                    view._check_xml()
                    self.env[view.model].get_views([(view.id, view.type)])

    def test_qlibra_timesheet_lines_have_the_filter_and_the_column(self):
        action = self.env.ref("qlibra_task.account_analytic_line_action_qlibra")
        search = self._arch(
            "account.analytic.line", action.search_view_id, "search", self.manager_user
        )
        self.assertIn('name="qlibra_billing_differs"', search)
        list_view = action.view_ids.filtered(lambda v: v.view_mode == "list").view_id
        columns = self._arch(
            "account.analytic.line", list_view, "list", self.manager_user
        )
        self.assertIn('name="qlibra_billing_differs"', columns)
        # Employees log time: they never see it.
        columns = self._arch(
            "account.analytic.line", list_view, "list", self.employee_user
        )
        self.assertNotIn("qlibra_billing_differs", columns)

    def test_timesheet_reporting_search_view_untouched(self):
        view = self.env.ref("hr_timesheet.hr_timesheet_report_search")
        arch = self._arch(
            "timesheets.analysis.report", view, "search", self.manager_user
        )
        self.assertNotIn("qlibra", arch)
