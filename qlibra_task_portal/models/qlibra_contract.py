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
        """The contracts a portal user of ``partner`` sees: those of its
        commercial partner (and its contacts) that are shown in the portal.
        The record rule of portal users says the same; this domain also
        keeps an internal user's /my/services to its own company."""
        return [
            ("partner_id", "child_of", partner.commercial_partner_id.id),
            ("portal_visible", "=", True),
        ]

    @api.model
    def _qlibra_portal_statement_months(self, contracts):
        """First days of the last full months (newest first) in which one of
        ``contracts`` ran: the months whose statements the portal offers.
        Which contracts ran is the clients' own rule
        (res.partner._qlibra_contracts_between), kept to ``contracts``."""
        month = qlibra_today(self).replace(day=1)
        months = [
            month - relativedelta(months=back)
            for back in range(1, STATEMENT_MONTHS + 1)
        ]
        running = contracts.partner_id._qlibra_contracts_between(
            months[-1], month - relativedelta(days=1), [("id", "in", contracts.ids)]
        )
        return [
            start
            for start in months
            if any(contract._month_fraction(start) for contract in running)
        ]

    def _qlibra_portal_values(self):
        """What the portal shows of the contracts, as a plain list of dicts
        (one per contract, in order): never a fee, a rate, a cost or a
        margin. Call it on contracts the portal user may read (searched as
        that user); the figures are read as superuser.

        Each dict: ``contract`` (record), ``name``, ``contract_type`` (label),
        ``date_start``, ``date_end`` (formatted, "" when open-ended),
        ``hours``, ``included_hours`` (HH:MM, included "" when the contract
        includes none), ``carried_hours`` (HH:MM carried from earlier months
        and usable this month, "" when none), ``percent`` (consumption, 0
        without included hours),
        ``bar_percent`` (the same, at most 100), ``over`` (over the included
        hours), ``change_requests``: lines of the month marked change request
        (``date``, ``task``, ``hours``), ``change_request_hours``.
        """
        today = qlibra_today(self)
        month_start = today.replace(day=1)
        month_end = month_start + relativedelta(day=31)
        contracts = self.sudo()
        # This month's hours, included and carried hours and consumption, as
        # the contract form and the warnings show them.
        month_figures = contracts._qlibra_month_figures(today)
        lines = (
            self.env["account.analytic.line"]
            .sudo()
            .search(
                [
                    ("qlibra_contract_id", "in", contracts.ids),
                    ("project_id", "!=", False),
                    ("qlibra_is_change_request", "=", True),
                    ("date", ">=", month_start),
                    ("date", "<=", month_end),
                ],
                order="date, id",
            )
        )
        values = []
        for contract in contracts:
            figures = month_figures[contract.id]
            hours, included = figures["hours"], figures["included"]
            carried, percent = figures["carried"], figures["percent"]
            own_lines = lines.filtered(
                lambda line, c=contract: line.qlibra_contract_id == c
            )
            values.append(
                {
                    "contract": contract.with_env(self.env),
                    "name": contract.name,
                    "contract_type": contract._qlibra_type_label(),
                    "date_start": format_date(self.env, contract.date_start),
                    "date_end": contract.date_end
                    and format_date(self.env, contract.date_end)
                    or "",
                    "hours": format_duration(hours),
                    "included_hours": format_duration(included) if included else "",
                    "percent": round(percent),
                    "bar_percent": min(round(percent), 100),
                    "carried_hours": format_duration(carried) if carried else "",
                    "over": bool(included) and hours > included + carried,
                    "change_requests": [
                        {
                            "date": format_date(self.env, line.date),
                            "task": line.task_id.name or line.name or "",
                            "hours": format_duration(line.unit_amount),
                        }
                        for line in own_lines
                    ],
                    "change_request_hours": format_duration(
                        sum(own_lines.mapped("unit_amount"))
                    ),
                }
            )
        return values
