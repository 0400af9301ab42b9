# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestI18n(TransactionCase):
    """The Bulgarian translation reaches the field and the filter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("bg_BG")
        cls.env["ir.module.module"]._load_module_terms(
            ["qlibra_task_sale"], ["bg_BG"], overwrite=True
        )
        cls.env_bg = cls.env(context=dict(cls.env.context, lang="bg_BG"))

    def test_field_and_filter_in_bulgarian(self):
        label = "Фактурирането се различава от Продажби"
        Line = self.env_bg["account.analytic.line"]
        self.assertEqual(
            Line.fields_get(["qlibra_billing_differs"])["qlibra_billing_differs"][
                "string"
            ],
            label,
        )
        view = self.env_bg.ref("qlibra_task.account_analytic_line_view_search")
        arch = Line.get_views([(view.id, "search")])["views"]["search"]["arch"]
        self.assertIn(f'string="{label}"', arch)
