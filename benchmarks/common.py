# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers shared by the data builder (build_data.py) and the measurements
(measure.py): the add-ons path, progress messages and Odoo in this process."""

import os
import sys
from contextlib import contextmanager
from datetime import datetime

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import config

ADDONS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(message):
    """Progress on stderr: stdout holds only the table and the JSON line."""
    # pylint-odoo's print-used is meant for add-on code, not for a script.
    # pylint: disable=print-used
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def odoo_registry(dbname):
    if not getattr(odoo_registry, "configured", False):
        config.parse_config(
            [f"--addons-path={ADDONS}", "-d", dbname, "--log-level=warn"]
        )
        odoo_registry.configured = True
    return Registry(dbname)


@contextmanager
def superuser_env(registry, context=None):
    """An environment of the superuser on a new cursor of registry."""
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, context or {})
