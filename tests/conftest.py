"""End-to-end tests run by pytest-odoo against a database where both add-ons
are installed; setup/test.sh prepares it and passes --odoo-database."""

from pathlib import Path

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


# tests/lifecycle/ makes databases of its own, without pytest-odoo: it runs
# only when named, alone (`python -m pytest -p no:odoo tests/lifecycle`).
LIFECYCLE = Path(__file__).resolve().parent / "lifecycle"


def lifecycle_only(config):
    return all(
        (config.invocation_params.dir / arg.split("::")[0])
        .resolve()
        .is_relative_to(LIFECYCLE)
        for arg in config.args
    )


def pytest_ignore_collect(collection_path, config):
    if collection_path == LIFECYCLE and not lifecycle_only(config):
        return True
    return None


def pytest_configure(config):
    # pytest-odoo has parsed the Odoo options by now (--odoo-database, ODOO_RC)
    if not odoo_config["db_name"] and not lifecycle_only(config):
        pytest.exit(
            "tests/ needs an Odoo database with the add-ons installed: "
            "run `bash setup/test.sh`, or pass --odoo-database=DB "
            "--odoo-addons-path=... to pytest",
            returncode=4,
        )
