# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, models
from odoo.exceptions import AccessError

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
    """Internal profitability report per client for a period.

    The only data layer of the report: the QWeb PDF and the XLSX both lay out
    what ``_get_report_values`` returns. Every figure comes from
    ``qlibra.profitability.report``, whose rows are monthly: the report
    covers the whole calendar months the period touches.
    """

    _name = "report.qlibra_task_reports.report_profitability"
    _description = "Client Profitability Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        """Values of the profitability report of the clients ``docids``.

        Without clients, every client with figures in the period. Managers
        only: anyone else gets an AccessError.

        Returns a dict:

        - ``doc_ids``, ``doc_model`` (``res.partner``), ``docs``: the clients;
        - ``company``, ``currency``;
        - ``date_from``, ``date_to``: the period asked for; ``months``: the
          first day of every month it touches (the report's columns);
        - ``clients``: one dict per client, by name: ``partner``, ``name``,
          ``contract`` (the contract valid at the end of the period, else the
          latest of the period, or False), ``contract_type_label``,
          ``hours``, ``change_request_hours``, ``cost``, ``revenue``,
          ``margin``, ``margin_percent`` (None without revenue),
          ``effective_rate`` (revenue / hours, None without hours),
          ``consumption_percent`` (subscription hours / hours included in
          the months the subscriptions ran, None without subscription),
          ``change_request_share`` (%, None without hours),
          ``target_margin``, ``trailing_margin_percent`` (over the last
          three months of the period), ``to_renegotiate`` and
          ``suggested_fee`` (qlibra_task's rules,
          ``res.partner._qlibra_renegotiation``, applied to those three
          months), ``losing_money``, ``trend`` (one dict per month of
          ``months``: ``month``, ``hours``, ``cost``, ``revenue``,
          ``margin``, ``margin_percent``);
        - ``totals``: the same measures summed over the clients, with their
          ratios; ``trend``: the monthly figures of all clients together,
          with ``revenue_bar`` and ``cost_bar`` (the month's revenue and
          cost as % of the largest of them, for the chart).
        """
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                _(
                    "Only client profitability managers can print the "
                    "profitability report."
                )
            )
        Period = self.env["qlibra.report.period"]
        date_from, date_to = Period._get_period(data)
        months = Period._months(date_from, date_to)
        last_month = months[-1]
        trailing_start = self.env["res.partner"]._qlibra_trailing_start(
            last_month + relativedelta(months=1)
        )
        partners = Period._get_partners(docids, data)
        period_figures, trailing, monthly, found = self._collect(
            partners, months, trailing_start
        )
        if not partners:
            partners = found
        contracts = self._get_contracts(partners, date_from, date_to)
        included = self._get_included_hours(partners, months)
        reference_month = last_month + relativedelta(months=1)
        contract_months = partners._qlibra_contract_months(reference_month)
        Partner = self.env["res.partner"]
        clients = []
        for partner in partners.sorted(lambda p: (p.name or "").lower()):
            figures = period_figures[partner.id]
            contract = contracts.get(partner.id, self.env["qlibra.contract"])
            client = {
                "partner": partner,
                "name": partner.name,
                "contract": contract,
                "contract_type_label": contract._qlibra_type_label()
                if contract
                else _("No Contract"),
                **self._figures(figures),
                "consumption_percent": consumption_percent(
                    figures["subscription_hours"], included.get(partner.id)
                ),
                "trend": [
                    {"month": month, **self._figures(monthly[(partner.id, month)])}
                    for month in months
                ],
            }
            client.update(
                Partner._qlibra_renegotiation(
                    contract,
                    trailing[partner.id]["cost"],
                    trailing[partner.id]["revenue"],
                    contract_months[partner.id],
                )
            )
            clients.append(client)
        totals = defaultdict(float)
        for figures in period_figures.values():
            for measure in MEASURES:
                totals[measure] += figures[measure]
        trend = []
        for month in months:
            month_totals = defaultdict(float)
            for partner in partners:
                for measure in MEASURES:
                    month_totals[measure] += monthly[(partner.id, month)][measure]
            trend.append({"month": month, **self._figures(month_totals)})
        scale = max([max(t["revenue"], t["cost"]) for t in trend] + [0.0])
        for month in trend:
            month["revenue_bar"] = ratio(max(month["revenue"], 0.0), scale) or 0
            month["cost_bar"] = ratio(max(month["cost"], 0.0), scale) or 0
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": self.env.company,
            "currency": self.env.company.currency_id,
            "date_from": date_from,
            "date_to": date_to,
            "months": months,
            "clients": clients,
            "totals": self._figures(totals),
            "trend": trend,
        }

    @api.model
    def _collect(self, partners, months, trailing_start):
        """Sums of the profitability view per client: over the period, over
        the trailing months, and per client and month; plus the clients found.
        """
        domain = [
            ("date", ">=", min(months[0], trailing_start)),
            ("date", "<=", months[-1]),
        ]
        if partners:
            domain.append(("partner_id", "in", partners.ids))
        rows = self.env["qlibra.profitability.report"]._read_group(
            domain,
            ["partner_id", "date:month", "contract_type"],
            [f"{measure}:sum" for measure in MEASURES],
        )
        period_figures = defaultdict(lambda: defaultdict(float))
        trailing = defaultdict(lambda: defaultdict(float))
        monthly = defaultdict(lambda: defaultdict(float))
        found = self.env["res.partner"]
        for partner, month, contract_type, *sums in rows:
            if not partner:
                continue
            values = dict(zip(MEASURES, sums, strict=True))
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
    def _figures(self, sums):
        hours = sums.get("hours", 0.0)
        cost = sums.get("cost", 0.0)
        revenue = sums.get("revenue", 0.0)
        cr_hours = sums.get("change_request_hours", 0.0)
        return {
            "hours": hours,
            "change_request_hours": cr_hours,
            "cost": cost,
            "revenue": revenue,
            "margin": revenue - cost,
            "margin_percent": margin_percent(revenue, cost),
            "effective_rate": effective_rate(revenue, hours),
            "change_request_share": change_request_share(cr_hours, hours),
        }

    @api.model
    def _get_contracts(self, partners, date_from, date_to):
        """Per client, the contract valid at the end of the period, else the
        latest one of the period; archived ones included (SPEC: reports keep
        a contract's terms for the months it ran, archived or not)."""
        contracts = (
            partners._qlibra_contracts_between(date_from, date_to)
            .with_env(self.env)
            .sorted(lambda c: (c.date_start, c.id), reverse=True)
        )
        result = {}
        for contract in contracts.sorted(
            lambda c: (not c._is_valid_on(date_to), not c._qlibra_rule().monthly_fee)
        ):
            result.setdefault(contract.partner_id.id, contract)
        return result

    @api.model
    def _get_included_hours(self, partners, months):
        """Hours included by the clients' subscriptions over the months
        (qlibra_task's rule, archived subscriptions included)."""
        included = defaultdict(float)
        for month in months:
            for partner_id, hours in partners._qlibra_month_included_hours(
                month
            ).items():
                included[partner_id] += hours
        return included
