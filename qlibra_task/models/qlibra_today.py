# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields

# The analysis view reads "today" from this setting of the transaction, set
# by today() before any query on it; without it, PostgreSQL's date.
TODAY_SETTING = "qlibra.today"


def today(record):
    """The one "today" of every date rule: the day in the user's timezone
    (a scheduled action's user), never the server's or PostgreSQL's clock."""
    return fields.Date.context_today(record)
