# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models
from odoo.exceptions import AccessError
from odoo.tools import float_compare

from .groups import is_manager


class QlibraRevenueGuard(models.AbstractModel):
    """Only client profitability managers change what moves revenue (SPEC,
    Lifecycle): a task's or project's contract, a fixed price, a done date."""

    _name = "qlibra.revenue.guard"
    _description = "Client Profitability: Revenue Guard"

    def _qlibra_may_move_revenue(self):
        return is_manager(self.env)

    def _qlibra_raise_revenue_access(self):
        raise AccessError(
            _(
                "Only client profitability managers can change a contract, a "
                "fixed price or a done date: they move revenue. Ask a client "
                "profitability manager to do it."
            )
        )

    def _qlibra_check_revenue_fields(self, vals, fnames):
        """Refuse vals that change one of fnames on one of the records."""
        for fname in set(fnames) & set(vals):
            field = self._fields[fname]
            for record in self.sudo():
                try:
                    new = field.convert_to_record(
                        field.convert_to_cache(vals[fname], record), record
                    )
                except (TypeError, ValueError):
                    # Not even a value of the field: certainly not the same.
                    self._qlibra_raise_revenue_access()
                old = record[fname]
                if field.type == "date":
                    new = fields.Date.to_date(new)
                if field.type == "monetary":
                    changed = float_compare(new or 0, old or 0, precision_digits=2)
                else:
                    changed = new != old
                if changed:
                    self._qlibra_raise_revenue_access()
