# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestI18n(TransactionCase):
    """The Bulgarian translation loads and reaches menus, selections and errors."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("bg_BG")
        cls.env["ir.module.module"]._load_module_terms(
            ["qlibra_task"], ["bg_BG"], overwrite=True
        )
        cls.env_bg = cls.env(
            context=dict(cls.env.context, lang="bg_BG", tracking_disable=True)
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Клиент ООД", "is_company": True}
        )

    def test_menu_and_selection_in_bulgarian(self):
        menu = self.env_bg.ref("qlibra_task.menu_qlibra_root")
        self.assertEqual(menu.name, "Рентабилност на клиенти")
        labels = dict(
            self.env_bg["qlibra.contract"]
            ._fields["contract_type"]
            ._description_selection(self.env_bg)
        )
        self.assertEqual(labels["subscription"], "Абонамент")
        self.assertEqual(labels["fixed_price"], "Фиксирана цена")
        self.assertEqual(labels["hourly"], "Почасово")
        self.assertEqual(labels["non_billable"], "Нефактурируемо")

    def test_validation_error_in_bulgarian(self):
        with self.assertRaises(ValidationError) as caught:
            self.env_bg["qlibra.contract"].create(
                {
                    "partner_id": self.client.id,
                    "contract_type": "subscription",
                    "date_start": "2026-01-01",
                    "monthly_fee": 500.0,
                    "included_hours": 0.0,
                }
            )
        self.assertEqual(
            caught.exception.args[0],
            "За абонамента Клиент ООД - Абонамент трябва да се посочи броят на "
            "включените часове на месец.",
        )

    def test_negative_amount_error_in_bulgarian(self):
        with self.assertRaises(ValidationError) as caught:
            self.env_bg["qlibra.contract"].create(
                {
                    "partner_id": self.client.id,
                    "contract_type": "hourly",
                    "date_start": "2026-01-01",
                    "hourly_rate": -10.0,
                }
            )
        self.assertEqual(
            caught.exception.args[0],
            "Полето „Почасова ставка“ не може да бъде отрицателно в договор "
            "Клиент ООД - Почасово.",
        )
