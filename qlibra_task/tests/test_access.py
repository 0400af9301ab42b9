# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import QlibraCase


@tagged("post_install", "-at_install")
class TestAccess(QlibraCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._contract(
            cls.client,
            "hourly",
            date(2025, 1, 1),
            hourly_rate=100.0,
            user_id=cls.manager_user.id,
        )
        cls.project = cls._project(cls.client, cls.contract)
        cls.task = cls._task(cls.project)
        cls.line = cls._log(cls.task, cls.senior, date(2025, 2, 3), 2.0)
        cls.other_company = cls.env["res.company"].create({"name": "Other Firm"})
        cls.other_client = cls.env["res.partner"].create(
            {"name": "Other Client", "is_company": True}
        )
        cls.other_contract = cls.Contract.with_company(cls.other_company).create(
            {
                "partner_id": cls.other_client.id,
                "contract_type": "hourly",
                "date_start": date(2025, 1, 1),
                "hourly_rate": 70.0,
                "company_id": cls.other_company.id,
            }
        )
        cls.other_manager = new_test_user(
            cls.env,
            login="qlibra_other_manager",
            groups="base.group_user,qlibra_task.group_qlibra_manager",
            company_id=cls.other_company.id,
            company_ids=[(6, 0, cls.other_company.ids)],
        )
        cls.env.flush_all()

    def test_employee_sees_no_money(self):
        env = self.env(user=self.employee_user)
        contract = env["qlibra.contract"].browse(self.contract.id)
        self.assertEqual(contract.name, self.contract.name)
        for fname in ("hourly_rate", "monthly_fee", "overage_rate", "target_margin"):
            with self.subTest(field=fname), self.assertRaises(AccessError):
                contract.read([fname])
        line = self._log(self.task, self.employee_of_user, date(2025, 2, 4), 1.0)
        line = line.with_user(self.employee_user)
        with self.assertRaises(AccessError):
            line.read(["qlibra_cost"])
        self.assertTrue(line.read(["qlibra_is_change_request", "qlibra_contract_id"]))
        with self.assertRaises(AccessError):
            env["qlibra.profitability.report"].search([])
        with self.assertRaises(AccessError):
            env["res.partner"].browse(self.client.id).read(["qlibra_trailing_cost"])
        with self.assertRaises(AccessError):
            env["project.task"].browse(self.task.id).read(["qlibra_margin"])
        self.assertNotIn("qlibra_cost", env["account.analytic.line"].fields_get())

    def test_employee_cannot_change_contracts(self):
        env = self.env(user=self.employee_user)
        with self.assertRaises(AccessError):
            env["qlibra.contract"].browse(self.contract.id).write({"name": "Mine"})
        with self.assertRaises(AccessError):
            env["qlibra.contract"].create(
                {"partner_id": self.client.id, "contract_type": "hourly"}
            )

    def test_accountant_sees_revenue_not_cost(self):
        env = self.env(user=self.accountant_user)
        contract = env["qlibra.contract"].browse(self.contract.id)
        self.assertEqual(contract.hourly_rate, 100.0)
        with self.assertRaises(AccessError):
            contract.read(["target_margin"])
        with self.assertRaises(AccessError):
            contract.write({"hourly_rate": 1.0})
        report = env["qlibra.profitability.report"]
        rows = report.search_read(
            [("contract_id", "=", self.contract.id)], ["hours", "revenue"]
        )
        self.assertEqual(rows[0]["revenue"], 200.0)
        with self.assertRaises(AccessError):
            report.search_read([("contract_id", "=", self.contract.id)], ["cost"])
        with self.assertRaises(AccessError):
            report.read_group([], ["margin:sum"], ["partner_id"])
        self.assertNotIn("cost", report.fields_get())
        self.assertNotIn(
            "margin", report.get_views([(False, "pivot")])["views"]["pivot"]["arch"]
        )

    def test_manager_sees_everything(self):
        env = self.env(user=self.manager_user)
        rows = env["qlibra.profitability.report"].search_read(
            [("contract_id", "=", self.contract.id)], ["cost", "margin"]
        )
        self.assertEqual(rows[0]["cost"], 120.0)
        self.assertEqual(rows[0]["margin"], 80.0)
        env["qlibra.contract"].browse(self.contract.id).write({"target_margin": 40})

    def test_multi_company_isolation(self):
        env = self.env(user=self.manager_user)
        self.assertNotIn(self.other_contract, env["qlibra.contract"].search([]))
        with self.assertRaises(AccessError):
            env["qlibra.contract"].browse(self.other_contract.id).read(["name"])
        other_env = self.env(user=self.other_manager)
        self.assertEqual(other_env["qlibra.contract"].search([]), self.other_contract)
        self.assertFalse(
            other_env["qlibra.profitability.report"].search(
                [("company_id", "=", self.company.id)]
            )
        )
        self.assertFalse(
            other_env["qlibra.profitability.report"].search(
                [("partner_id", "=", self.client.id)]
            )
        )
        # Partner figures are company-bound too, though computed in sudo.
        client = other_env["res.partner"].browse(self.client.id)
        self.assertEqual(client.qlibra_trailing_hours, 0.0)
        self.assertFalse(client.qlibra_main_contract_id)
        self.assertEqual(
            self.client.with_user(self.manager_user).qlibra_main_contract_id,
            self.contract,
        )
