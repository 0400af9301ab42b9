"""Both add-ons are installed, with their demo data, in the test database."""

import re
from pathlib import Path

from odoo.tests import TransactionCase, tagged

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ("qlibra_task", "qlibra_task_reports")
CONTRACT_MODEL = "qlibra.contract"


def addon_defines_model(addon, model):
    """Whether a Python file of the add-on declares ``_name = "<model>"``."""
    declaration = re.compile(rf"""^\s*_name\s*=\s*["']{re.escape(model)}["']""", re.M)
    return any(
        declaration.search(path.read_text(encoding="utf-8"))
        for path in (ROOT / addon).rglob("*.py")
    )


# Outside odoo.addons, Odoo assigns no default tags: give the usual ones.
@tagged("standard", "post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_addons_installed_with_demo_data(self):
        modules = self.env["ir.module.module"].search([("name", "in", ADDONS)])
        self.assertEqual(sorted(modules.mapped("name")), sorted(ADDONS))
        for module in modules:
            self.assertEqual(module.state, "installed", module.name)
            self.assertTrue(module.demo, f"{module.name}: demo data not loaded")

    def test_contract_model_registered(self):
        self.assertTrue(addon_defines_model("qlibra_task", CONTRACT_MODEL))
        self.assertIn(CONTRACT_MODEL, self.env.registry)
        model = self.env["ir.model"].search([("model", "=", CONTRACT_MODEL)])
        self.assertIn("qlibra_task", model.modules.split(", "))
