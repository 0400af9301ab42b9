"""End-to-end tests run by pytest-odoo against a database where both add-ons
are installed; setup/test.sh prepares it and passes --odoo-database."""

import pytest

from odoo.tools import config as odoo_config

# pytest-odoo imports odoo.tests right after parsing the Odoo options, outside
# test mode, and Odoo 18 then logs an ERROR ("Importing test framework, avoid
# importing from business modules..."). Conftest files load earlier: import
# the test framework here, in test mode, before Odoo's logging is set up.
odoo_config["test_enable"] = True
try:
    import odoo.tests  # noqa: F401
finally:
    odoo_config["test_enable"] = False


def pytest_configure(config):
    # pytest-odoo has parsed the Odoo options by now (--odoo-database, ODOO_RC)
    if not odoo_config["db_name"]:
        pytest.exit(
            "tests/ needs an Odoo database with the add-ons installed: "
            "run `bash setup/test.sh`, or pass --odoo-database=DB "
            "--odoo-addons-path=... to pytest",
            returncode=4,
        )
