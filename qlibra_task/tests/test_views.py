# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install", "qlibra_sales")
class TestViewInheritance(TransactionCase):
    """qLibra's view extensions land only where their fields exist.

    An extension of view V also reaches every primary view derived from V or
    from V's ancestors (Odoo's timesheet reporting search view is a primary
    child of the timesheet lines' search view): each of those views must
    still validate, with whatever other apps are installed."""

    def _our_views(self):
        # This add-on's views and those of every qLibra add-on installed.
        data = self.env["ir.model.data"].search(
            [("module", "=like", "qlibra\\_task%"), ("model", "=", "ir.ui.view")]
        )
        return self.env["ir.ui.view"].browse(data.mapped("res_id")).exists()

    def _reached_primary_views(self, extension):
        View = self.env["ir.ui.view"]
        reached = View
        ancestor = extension.inherit_id
        while ancestor:
            todo = ancestor.inherit_children_ids
            while todo:
                reached |= todo.filtered(lambda v: v.mode == "primary")
                todo = todo.inherit_children_ids
            if ancestor.mode == "primary":
                reached |= ancestor
                break
            ancestor = ancestor.inherit_id
        return reached

    def test_extensions_validate_in_every_view_they_reach(self):
        extensions = self._our_views().filtered(
            lambda v: v.mode == "extension" and v.type != "qweb"
        )
        self.assertTrue(extensions)
        for extension in extensions:
            for view in self._reached_primary_views(extension):
                with self.subTest(extension=extension.xml_id, view=view.xml_id):
                    # Odoo's own validation: unknown fields, bad xpaths...
                    view._check_xml()
                    self.env[view.model].get_views([(view.id, view.type)])

    def test_timesheet_reporting_search_view_untouched(self):
        """Odoo's Timesheets > Reporting keeps its own search view, which
        knows nothing of qLibra's fields."""
        view = self.env.ref("hr_timesheet.hr_timesheet_report_search")
        arch = self.env["timesheets.analysis.report"].get_views([(view.id, "search")])[
            "views"
        ]["search"]["arch"]
        self.assertNotIn("qlibra", arch)

    def test_qlibra_timesheet_lines_search(self):
        """qLibra's own list of timesheet lines has the contract filters."""
        action = self.env.ref("qlibra_task.account_analytic_line_action_qlibra")
        arch = self.env["account.analytic.line"].get_views(
            [(action.search_view_id.id, "search")]
        )["views"]["search"]["arch"]
        for name in (
            "qlibra_contract_id",
            "qlibra_no_contract",
            "qlibra_change_requests",
        ):
            self.assertIn(name, arch)

    def test_analysis_list_reads_months(self):
        """The analysis list groups its rows by month ("December 2026")
        rather than showing the first day of each month as a date."""
        view = self.env.ref("qlibra_task.qlibra_profitability_report_view_list")
        arch = self.env["qlibra.profitability.report"].get_views([(view.id, "list")])[
            "views"
        ]["list"]["arch"]
        self.assertIn('default_group_by="date:month"', arch)
        self.assertRegex(arch, r'<field name="date"[^>]*optional="hide"')

    def test_contract_form_says_over_consumption(self):
        manager = new_test_user(
            self.env,
            login="views_qlibra_manager",
            groups="base.group_user,qlibra_task.group_qlibra_manager",
        )
        arch = (
            self.env["qlibra.contract"]
            .with_user(manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("o_qlibra_over_consumption", arch)
        self.assertIn("consumption_percent &lt;= 100", arch)

    def _manager(self):
        return new_test_user(
            self.env,
            login="views_qlibra_manager_arch",
            groups="base.group_user,qlibra_task.group_qlibra_manager",
        )

    def _manager_arch(self, model, view_type, xmlid=False):
        manager = self._manager()
        view_id = self.env.ref(xmlid).id if xmlid else False
        views = self.env[model].with_user(manager).get_views([(view_id, view_type)])
        return views["views"][view_type]["arch"]

    def test_client_form_says_over_consumption(self):
        """The client's consumption bar says in words that it is past 100%,
        and the client's contract, analysis and renegotiation are one click
        away in its Profitability tab."""
        arch = self._manager_arch("res.partner", "form", "base.view_partner_form")
        self.assertIn("o_qlibra_over_consumption", arch)
        self.assertIn("qlibra_consumption_percent &lt;= 100", arch)
        open_contract = self.env.ref(
            "qlibra_task.res_partner_action_qlibra_open_main_contract"
        )
        for name in (
            f'name="{open_contract.id}"',
            'name="action_view_qlibra_profitability"',
            'name="action_qlibra_renegotiate"',
        ):
            self.assertIn(name, arch)

    def test_clients_to_renegotiate_list(self):
        """Short headers, monthly fees on subscriptions only, and per row the
        running contract and its renegotiation."""
        arch = self._manager_arch(
            "res.partner", "list", "qlibra_task.res_partner_view_list_renegotiate"
        )
        self.assertNotIn("3 Months", arch)
        for name in ("qlibra_current_fee", "qlibra_suggested_fee"):
            self.assertRegex(
                arch,
                rf'<field name="{name}"[^>]*'
                r"invisible=\"qlibra_main_contract_type != 'subscription'\"",
            )
        self.assertIn('name="action_qlibra_renegotiate"', arch)
        open_contract = self.env.ref(
            "qlibra_task.res_partner_action_qlibra_open_main_contract"
        )
        self.assertIn(f'name="{open_contract.id}"', arch)

    def test_open_main_contract_action(self):
        """The Open Contract buttons' action opens the client's running
        contract's form."""
        client = self.env["res.partner"].create({"name": "Open Me", "is_company": True})
        contract = self.env["qlibra.contract"].create(
            {
                "partner_id": client.id,
                "contract_type": "hourly",
                "date_start": "2020-01-01",
                "hourly_rate": 50.0,
            }
        )
        action = (
            self.env.ref("qlibra_task.res_partner_action_qlibra_open_main_contract")
            .with_user(self._manager())
            .with_context(active_model="res.partner", active_id=client.id)
            .run()
        )
        self.assertEqual(action["res_model"], "qlibra.contract")
        self.assertEqual(action["res_id"], contract.id)
