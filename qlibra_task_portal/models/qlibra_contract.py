# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import format_date, format_duration

from odoo.addons.qlibra_task.models.qlibra_today import today as qlibra_today

# Full months whose statements the portal offers.
STATEMENT_MONTHS = 6


class QlibraContract(models.Model):
    _inherit = "qlibra.contract"

    portal_visible = fields.Boolean(
        string="Visible in the Portal",
        default=True,
        tracking=True,
        help="The client's portal users see this contract, its hours of the "
        "month and its change requests under Services in their portal.",
    )

    @api.model
    def _qlibra_portal_domain(self, partner):
        """As the portal users' record rule; also keeps an internal user's
        /my/services to its own commercial partner."""
        return [
            ("partner_id", "child_of", partner.commercial_partner_id.id),
            ("portal_visible", "=", True),
        ]

    @api.model
    def _qlibra_portal_statement_months(self, contracts):
        """First days of the last full months, newest first, in which one of
        ``contracts`` ran (res.partner._qlibra_contracts_between)."""
        month = qlibra_today(self).replace(day=1)
        months = [
            month - relativedelta(months=n) for n in range(1, STATEMENT_MONTHS + 1)
        ]
        running = contracts.partner_id._qlibra_contracts_between(
            months[-1], month - relativedelta(days=1), [("id", "in", contracts.ids)]
        )
        return [m for m in months if any(c._month_fraction(m) for c in running)]

    def _qlibra_portal_values(self):
        """Per contract, formatted, what the portal shows of this month: never
        a fee, rate, cost or margin (read as superuser)."""
        today = qlibra_today(self)
        contracts = self.sudo()
        month_figures = contracts._qlibra_month_figures(today)
        Line = self.env["account.analytic.line"].sudo()
        lines = Line.search(
            [
                ("qlibra_contract_id", "in", contracts.ids),
                ("project_id", "!=", False),
                ("qlibra_is_change_request", "=", True),
                ("date", ">=", today.replace(day=1)),
                ("date", "<=", today + relativedelta(day=31)),
            ],
            order="date, id",
        )
        values = []
        for contract in contracts:
            figures = month_figures[contract.id]
            hours, included = figures["hours"], figures["included"]
            carried, percent = figures["carried"], round(figures["percent"])
            own = lines.filtered(lambda line, c=contract: line.qlibra_contract_id == c)
            cr_hours = format_duration(sum(own.mapped("unit_amount")))
            values.append(
                {
                    "contract": contract.with_env(self.env),
                    "name": contract.name,
                    "contract_type": contract._qlibra_type_label(),
                    "date_start": format_date(self.env, contract.date_start),
                    "date_end": format_date(self.env, contract.date_end),
                    "hours": format_duration(hours),
                    "included_hours": format_duration(included) if included else "",
                    "percent": percent,
                    "bar_percent": min(percent, 100),
                    "carried_hours": format_duration(carried) if carried else "",
                    "over": bool(included) and hours > included + carried,
                    "change_requests": [
                        {
                            "date": format_date(self.env, line.date),
                            "task": line.task_id.name or line.name or "",
                            "hours": format_duration(line.unit_amount),
                        }
                        for line in own
                    ],
                    "change_request_hours": cr_hours,
                }
            )
        return values
