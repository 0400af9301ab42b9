# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The xml-ids of qLibra's groups (security/qlibra_security.xml)."""

from odoo.exceptions import AccessError

# Accountants see contracts and revenue, print and send client documents.
ACCOUNTANT_GROUP = "qlibra_task.group_qlibra_accountant"
# Managers see and change everything, costs and margins included.
MANAGER_GROUP = "qlibra_task.group_qlibra_manager"

# A figure that only managers read, computed for the whole recordset by the
# model's _compute_qlibra_figures (clients, tasks).
FIGURE = {"compute": "_compute_qlibra_figures", "groups": MANAGER_GROUP}


def is_manager(env):
    """Whether env may read and change everything (costs and margins)."""
    return env.su or env.user.has_group(MANAGER_GROUP)


def check_manager(env, message):
    """Refuse (AccessError ``message``) unless env is a manager's."""
    if not is_manager(env):
        raise AccessError(message)
