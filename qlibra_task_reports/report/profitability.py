# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, models

from odoo.addons.qlibra_task.models.contract_type import contract_rule
from odoo.addons.qlibra_task.models.figures import (
    change_request_share,
    consumption_percent,
    effective_rate,
    margin_percent,
    ratio,
)
from odoo.addons.qlibra_task.models.groups import MANAGER_GROUP

MEASURES = ("hours", "change_request_hours", "cost", "revenue")


class ProfitabilityReport(models.AbstractModel):
    """Internal profitability per client: the analysis's figures and rules."""

    _name = "report.qlibra_task_reports.report_profitability"
    _inherit = "qlibra.report.period"
    _description = "Client Profitability Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        """``clients`` (by default those with figures) with their figures,
        renegotiation and monthly ``trend``; ``totals`` and ``trend`` of all."""
        self._check_access()
        date_from, date_to = self._get_period(data)
        months = self._months(date_from, date_to)
        reference_month = months[-1] + relativedelta(months=1)
        partners = self._get_partners(docids, data)
        trailing_start = partners._qlibra_trailing_start(reference_month)
        period_figures, trailing, monthly, found = self._collect(
            partners, months, trailing_start
        )
        partners = partners or found
        contracts = self._get_contracts(partners, date_from, date_to)
        included_hours = partners._qlibra_month_included_hours
        included = self._sum(included_hours(month) for month in months)
        contract_months = partners._qlibra_contract_months(reference_month)
        clients = []
        for partner in partners.sorted(lambda p: (p.name or "").lower()):
            figures, trail = period_figures[partner.id], trailing[partner.id]
            contract = contracts.get(partner.id, self.env["qlibra.contract"])
            label = contract._qlibra_type_label() if contract else _("No Contract")
            renegotiation = partners._qlibra_renegotiation(
                contract, trail["cost"], trail["revenue"], contract_months[partner.id]
            )
            clients.append(
                {
                    "partner": partner,
                    "name": partner.name,
                    "contract": contract,
                    "contract_type_label": label,
                    **self._figures(figures),
                    "consumption_percent": consumption_percent(
                        figures["subscription_hours"], included.get(partner.id)
                    ),
                    "trend": [
                        {"month": month, **self._figures(monthly[(partner.id, month)])}
                        for month in months
                    ],
                    **renegotiation,
                }
            )
        trend = [
            {
                "month": month,
                **self._figures(self._sum([monthly[(p.id, month)] for p in partners])),
            }
            for month in months
        ]
        scale = max([max(t["revenue"], t["cost"]) for t in trend] + [0.0])
        for month in trend:
            month["revenue_bar"] = ratio(max(month["revenue"], 0.0), scale) or 0
            month["cost_bar"] = ratio(max(month["cost"], 0.0), scale) or 0
        totals = self._figures(self._sum(period_figures.values()))
        values = dict(months=months, clients=clients, totals=totals, trend=trend)
        values["currency"] = self.env.company.currency_id
        return self._partner_report_values(partners, date_from, date_to, **values)

    @api.model
    def _check_access(self):
        self._check_group(
            MANAGER_GROUP,
            _("Only client profitability managers can print the profitability report."),
        )

    @api.model
    def _sum(self, sums):
        """Every key's sum: the measures' (add-ons add theirs), hours per client."""
        total = defaultdict(float)
        for values in sums:
            for measure, value in values.items():
                total[measure] += value
        return total

    @api.model
    def _collect(self, partners, months, trailing_start):
        """``_measures`` per client: period, trailing months, month; clients found."""
        start = min(months[0], trailing_start)
        domain = [("date", ">=", start), ("date", "<=", months[-1])]
        if partners:
            domain.append(("partner_id", "in", partners.ids))
        rows = self.env["qlibra.profitability.report"]._read_group(
            domain,
            ["partner_id", "date:month", "contract_type"],
            [f"{measure}:sum" for measure in self._measures()],
        )
        period_figures = defaultdict(lambda: defaultdict(float))
        trailing = defaultdict(lambda: defaultdict(float))
        monthly = defaultdict(lambda: defaultdict(float))
        found = self.env["res.partner"]
        for partner, month, contract_type, *sums in rows:
            if not partner:
                continue
            values = dict(zip(self._measures(), sums, strict=True))
            if month >= trailing_start:
                for measure in ("cost", "revenue"):
                    trailing[partner.id][measure] += values[measure]
            if month < months[0]:
                continue
            found |= partner
            figures = period_figures[partner.id]
            for measure, value in values.items():
                figures[measure] += value
                monthly[(partner.id, month)][measure] += value
            if contract_rule(contract_type).monthly_fee:
                figures["subscription_hours"] += values["hours"]
        return period_figures, trailing, monthly, found

    @api.model
    def _measures(self):
        return MEASURES

    @api.model
    def _figures(self, sums):
        figures = {measure: sums.get(measure, 0.0) for measure in MEASURES}
        hours, cr_hours, cost, revenue = figures.values()
        return {
            **figures,
            "margin": revenue - cost,
            "margin_percent": margin_percent(revenue, cost),
            "effective_rate": effective_rate(revenue, hours),
            "change_request_share": change_request_share(cr_hours, hours),
        }

    @api.model
    def _get_contracts(self, partners, date_from, date_to):
        """Per client: valid at the period's end, else its latest (archived too)."""
        order = "date_start desc, id desc"
        contracts = partners._qlibra_contracts_between(date_from, date_to, order=order)
        result = {}
        for contract in contracts.with_env(self.env).sorted(
            lambda c: (not c._is_valid_on(date_to), not c._qlibra_rule().monthly_fee)
        ):
            result.setdefault(contract.partner_id.id, contract)
        return result
