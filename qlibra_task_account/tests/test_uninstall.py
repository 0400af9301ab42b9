# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged
from odoo.tools import SQL

from ..hooks import uninstall_hook
from ..report.qlibra_profitability_report import WITHOUT_INVOICING
from .common import QlibraAccountCommon


@tagged("post_install", "-at_install")
class TestUninstallHook(QlibraAccountCommon):
    """Uninstalling gives the analysis view back as qlibra_task builds it."""

    def _view_state(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT column_name FROM information_schema.columns
                    WHERE table_name = 'qlibra_profitability_report'
                 ORDER BY ordinal_position"""
            )
        )
        columns = [name for (name,) in self.env.cr.fetchall()]
        self.env.cr.execute(
            SQL(
                """SELECT row_type, SUM(hours), SUM(revenue)
                     FROM qlibra_profitability_report
                    WHERE partner_id = %s
                 GROUP BY row_type ORDER BY row_type""",
                self.alpha.id,
            )
        )
        return columns, self.env.cr.fetchall()

    def test_uninstall_hook_rebuilds_view(self):
        columns, rows = self._view_state()
        for name in ("move_id", "invoiced", "to_invoice", "realization_percent"):
            self.assertIn(name, columns)
        self.assertIn("invoice", [row_type for row_type, *__ in rows])
        uninstall_hook(self.env)
        columns_after, rows_after = self._view_state()
        without = self.env["qlibra.profitability.report"].with_context(
            **{WITHOUT_INVOICING: True}
        )
        # qlibra_task's own columns, then those the view computes from them.
        self.assertEqual(
            columns_after,
            [name for name, __ in without.COLUMNS] + list(without._outer_columns("u")),
        )
        for name in ("move_id", "invoiced", "to_invoice", "realization_percent"):
            self.assertNotIn(name, columns_after)
        self.assertEqual(rows_after, [row for row in rows if row[0] != "invoice"])
