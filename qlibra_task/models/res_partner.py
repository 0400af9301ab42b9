# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .contract_type import CONTRACT_TYPES, types_with
from .figures import (
    change_request_share,
    consumption_percent,
    margin_percent,
    suggested_fee,
)
from .groups import FIGURE, check_manager
from .qlibra_today import today as qlibra_today

TRAILING_MONTHS = 3
# The sums of _qlibra_figures(), in the order it reads them.
MEASURES = ("hours", "cr_hours", "cost", "revenue")
MONEY_FIGURE = {**FIGURE, "currency_field": "qlibra_currency_id"}
# Figures of _qlibra_figures() each stored as is in the field qlibra_<key>.
COPIED_FIGURES = (
    "month_hours month_cost month_revenue consumption_percent trailing_hours "
    "trailing_cost trailing_revenue change_request_share target_margin "
    "suggested_fee to_renegotiate losing_money"
).split()


class ResPartner(models.Model):
    _inherit = "res.partner"

    qlibra_contract_ids = fields.One2many(
        "qlibra.contract", "partner_id", string="Client Contracts"
    )
    qlibra_contract_count = fields.Integer(
        compute="_compute_qlibra_contract_count", string="Contracts"
    )
    qlibra_is_client = fields.Boolean(
        string="Client With Contract or Figures",
        compute="_compute_qlibra_is_client",
        search="_search_qlibra_is_client",
        help="The partner has or had a client contract, or time logged for "
        "it; the firm itself is not a client.",
    )
    qlibra_currency_id = fields.Many2one(
        "res.currency", string="Profitability Currency", **FIGURE
    )
    qlibra_fee_currency_id = fields.Many2one(
        "res.currency",
        string="Fee Currency",
        **FIGURE,
        help="The currency of the running contract's fees.",
    )
    qlibra_main_contract_type = fields.Selection(
        selection=CONTRACT_TYPES, string="Running Contract Type", **FIGURE
    )
    qlibra_main_contract_id = fields.Many2one(
        "qlibra.contract", string="Running Contract", **FIGURE
    )
    qlibra_month_hours = fields.Float(string="Hours This Month", **FIGURE)
    qlibra_month_cost = fields.Monetary(string="Cost This Month", **MONEY_FIGURE)
    qlibra_month_revenue = fields.Monetary(string="Revenue This Month", **MONEY_FIGURE)
    qlibra_month_margin = fields.Monetary(string="Margin This Month", **MONEY_FIGURE)
    qlibra_month_margin_percent = fields.Float(string="Margin This Month (%)", **FIGURE)
    qlibra_consumption_percent = fields.Float(
        string="Consumption (%)",
        **FIGURE,
        help="Subscription hours this month / hours included each month.",
    )
    qlibra_trailing_hours = fields.Float(string="Hours (3 Months)", **FIGURE)
    qlibra_trailing_cost = fields.Monetary(string="Cost (3 Months)", **MONEY_FIGURE)
    qlibra_trailing_revenue = fields.Monetary(
        string="Revenue (3 Months)", **MONEY_FIGURE
    )
    qlibra_trailing_margin = fields.Monetary(string="Margin (3 Months)", **MONEY_FIGURE)
    qlibra_trailing_margin_percent = fields.Float(
        string="Margin (3 Months, %)",
        **FIGURE,
        help="Margin / revenue over the last three full months.",
    )
    qlibra_has_trailing_revenue = fields.Boolean(
        string="Revenue in the Last 3 Months", **FIGURE
    )
    qlibra_change_request_share = fields.Float(
        string="Change-request Share (%)",
        **FIGURE,
        help="Change-request hours / hours over the last three full months.",
    )
    qlibra_target_margin = fields.Float(string="Target Margin (%)", **FIGURE)
    qlibra_current_fee = fields.Monetary(
        string="Current Monthly Fee", **FIGURE, currency_field="qlibra_fee_currency_id"
    )
    qlibra_suggested_fee = fields.Monetary(
        string="Suggested Monthly Fee",
        **FIGURE,
        currency_field="qlibra_fee_currency_id",
        help="Average monthly cost of the last three full months (over the "
        "months the client had a contract) / (1 - target margin), rounded up "
        "to a whole 10.",
    )
    qlibra_to_renegotiate = fields.Boolean(
        string="To Renegotiate",
        **FIGURE,
        search="_search_qlibra_to_renegotiate",
        help="The margin of the last three full months is below the target "
        "margin of the running contract.",
    )
    qlibra_losing_money = fields.Boolean(
        string="Losing Money",
        **FIGURE,
        search="_search_qlibra_losing_money",
        help="The margin of the last three full months is negative.",
    )

    def _compute_qlibra_contract_count(self):
        Contract = self.env["qlibra.contract"].with_context(active_test=False)
        rows = Contract._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
        )
        counts = {partner.id: count for partner, count in rows}
        for partner in self:
            partner.qlibra_contract_count = counts.get(partner.id, 0)

    @api.model
    def _qlibra_client_ids(self):
        """Partners of the user's companies with a contract (even archived) or
        analysis rows, the firms' excepted."""
        companies = [("company_id", "in", self.env.companies.ids)]
        Contract = self.env["qlibra.contract"].sudo().with_context(active_test=False)
        contracts = Contract._read_group(companies, ["partner_id"])
        Report = self.env["qlibra.profitability.report"].sudo()
        figures = Report._read_group(
            [*companies, ("partner_id", "!=", False)], ["partner_id"]
        )
        firms = self.env["res.company"].sudo().search([]).partner_id
        return {partner.id for (partner,) in contracts + figures} - set(firms.ids)

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_qlibra_is_client(self):
        client_ids = self._qlibra_client_ids()
        for partner in self:
            partner.qlibra_is_client = partner.id in client_ids

    def _search_qlibra_is_client(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on the clients."))
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", list(self._qlibra_client_ids()))]

    @api.model
    def _qlibra_trailing_start(self, reference_month):
        """First day of the TRAILING_MONTHS full months before reference_month."""
        return reference_month.replace(day=1) - relativedelta(months=TRAILING_MONTHS)

    def _qlibra_contracts_between(self, date_from, date_to, domain=(), order=None):
        """The clients' contracts running in date_from..date_to, in the user's
        companies (archived ones included: they ran)."""
        Contract = self.env["qlibra.contract"].sudo().with_context(active_test=False)
        return Contract.search(
            [
                ("partner_id", "in", self.ids),
                ("company_id", "in", self.env.companies.ids),
                *domain,
                *Contract._qlibra_running_domain(date_from, date_to),
            ],
            order=order,
        )

    def _qlibra_contract_months(self, reference_month):
        """{partner id: months of the trailing window under contract (archived too)}."""
        window_start = self._qlibra_trailing_start(reference_month)
        window_end = reference_month.replace(day=1) - relativedelta(days=1)
        contracts = self._qlibra_contracts_between(window_start, window_end)
        months = defaultdict(set)
        for contract in contracts:
            for offset in range(TRAILING_MONTHS):
                month = window_start + relativedelta(months=offset)
                if contract._month_fraction(month):
                    months[contract.partner_id.id].add(month)
        return {partner.id: len(months[partner.id]) for partner in self}

    @api.model
    def _qlibra_renegotiation(self, contract, trailing_cost, trailing_revenue, months):
        """SPEC's renegotiation rules, for forms and reports alike: contract
        sets the terms, ``months``: the trailing window's months under one."""
        contract = contract or self.env["qlibra.contract"]
        target, billable = contract.target_margin, contract._qlibra_rule().billable
        percent = margin_percent(trailing_revenue, trailing_cost)
        return {
            "target_margin": target,
            "trailing_margin_percent": percent,
            # Non-billable work is meant to cost; time no contract covers is not.
            "losing_money": bool(
                (billable or not contract) and trailing_revenue < trailing_cost
            ),
            "to_renegotiate": bool(
                billable and percent is not None and percent < target
            ),
            # Averaged over the months under contract, not always 3; in the
            # contract's currency (converted at this month's rate, rounded up).
            "suggested_fee": suggested_fee(
                contract._qlibra_to_company_currency(
                    trailing_cost / months, qlibra_today(self), reverse=True
                ),
                target,
            )
            if billable and months
            else 0.0,
        }

    def _qlibra_month_included_hours(self, month):
        """Hours the clients' subscriptions (archived too, for the days they
        ran) include in the month: SPEC's client consumption denominator."""
        last = month + relativedelta(months=1, days=-1)
        subscriptions = self._qlibra_contracts_between(
            month, last, [("contract_type", "in", types_with("monthly_fee"))]
        )
        included = defaultdict(float)
        for contract in subscriptions:
            included[contract.partner_id.id] += contract._included_hours_in_month(month)
        return included

    def _qlibra_main_contracts(self, day=None):
        """Per client, the contract running on ``day`` (default: today) that
        sets its terms: a subscription first, then the latest start; for a
        past day archived ones count, they ran (SPEC, Lifecycle)."""
        today = qlibra_today(self)
        day = day or today
        active = [("active", "=", True)] if day >= today else []
        order = "date_start desc, id desc"
        contracts = self._qlibra_contracts_between(day, day, active, order=order)
        main = {}
        for contract in contracts.sorted(lambda c: not c._qlibra_rule().monthly_fee):
            main.setdefault(contract.partner_id.id, contract)
        return main

    def _qlibra_figures(self, reference_month=None):
        """{partner_id: figures} in a fixed number of queries. The trailing
        window ends before ``reference_month`` (default this month; reports
        pass the month after their period); terms: the contract running
        today this month, else on the day before the reference month."""
        today = qlibra_today(self)
        month_start = (reference_month or today).replace(day=1)
        trailing_start = self._qlibra_trailing_start(month_start)
        this_month = month_start == today.replace(day=1)
        terms_day = today if this_month else month_start - relativedelta(days=1)
        Report = self.env["qlibra.profitability.report"].sudo()
        rows = Report._read_group(
            [
                ("partner_id", "in", self.ids),
                ("date", ">=", trailing_start),
                # Months after the current one (time logged ahead) are in neither.
                ("date", "<", month_start + relativedelta(months=1)),
                # sudo() skips the record rules: keep to the user's companies.
                ("company_id", "in", self.env.companies.ids),
            ],
            ["partner_id", "contract_type", "date:month"],
            ["hours:sum", "change_request_hours:sum", "cost:sum", "revenue:sum"],
        )
        keys = [f"{p}_{m}" for p in ("month", "trailing") for m in MEASURES]
        keys.append("month_subscription_hours")
        totals = defaultdict(lambda: dict.fromkeys(keys, 0.0))
        for partner, contract_type, month, *sums in rows:
            period = "month" if month >= month_start else "trailing"
            figures = totals[partner.id]
            for measure, value in zip(MEASURES, sums, strict=True):
                figures[f"{period}_{measure}"] += value
            if period == "month" and contract_type in types_with("monthly_fee"):
                figures["month_subscription_hours"] += sums[0]  # hours
        main_contracts = self._qlibra_main_contracts(terms_day)
        month_included = self._qlibra_month_included_hours(month_start)
        contract_months = self._qlibra_contract_months(month_start)
        result = {}
        for partner in self:
            fig = totals[partner.id]
            contract = main_contracts.get(partner.id)
            trailing = fig["trailing_cost"], fig["trailing_revenue"]
            months = contract_months[partner.id]
            included = month_included[partner.id]
            sub_hours = fig["month_subscription_hours"]
            cr_share = change_request_share(
                fig["trailing_cr_hours"], fig["trailing_hours"]
            )
            result[partner.id] = {
                **fig,
                "contract": contract,
                **self._qlibra_renegotiation(contract, *trailing, months),
                "month_margin_percent": margin_percent(
                    fig["month_revenue"], fig["month_cost"]
                ),
                "consumption_percent": consumption_percent(sub_hours, included) or 0.0,
                "change_request_share": cr_share or 0.0,
            }
        return result

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_qlibra_figures(self):
        all_figures = self._qlibra_figures()
        currency = self.env.company.currency_id
        for partner in self:
            fig = all_figures[partner.id]
            for key in COPIED_FIGURES:
                partner[f"qlibra_{key}"] = fig[key]
            contract = fig["contract"] or self.env["qlibra.contract"]
            partner.qlibra_currency_id = currency
            partner.qlibra_fee_currency_id = contract.currency_id or currency
            partner.qlibra_main_contract_id = contract
            partner.qlibra_main_contract_type = contract.contract_type
            for period in ("month", "trailing"):
                margin = fig[f"{period}_revenue"] - fig[f"{period}_cost"]
                percent = fig[f"{period}_margin_percent"] or 0.0
                partner[f"qlibra_{period}_margin"] = margin
                partner[f"qlibra_{period}_margin_percent"] = percent
            partner.qlibra_has_trailing_revenue = bool(fig["trailing_revenue"])
            partner.qlibra_current_fee = contract.monthly_fee

    def _qlibra_search_flag(self, flag, operator, value):
        """Clients with a flag of _qlibra_figures(): only those with rows in
        the trailing window can carry one."""
        # The flags tell who loses money: searching on them is reading them.
        msg = _("Only client profitability managers can search on margins.")
        check_manager(self.env, msg)
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return [("id", "in", [])]
        trailing_start = self._qlibra_trailing_start(qlibra_today(self))
        domain = [
            ("date", ">=", trailing_start),
            ("company_id", "in", self.env.companies.ids),
        ]
        Report = self.env["qlibra.profitability.report"].sudo()
        rows = Report._read_group(domain, ["partner_id"], [])
        clients = self.browse([partner.id for (partner,) in rows if partner])
        figures = clients._qlibra_figures()
        flagged = [partner_id for partner_id, fig in figures.items() if fig[flag]]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", flagged)]

    def _search_qlibra_to_renegotiate(self, operator, value):
        return self._qlibra_search_flag("to_renegotiate", operator, value)

    def _search_qlibra_losing_money(self, operator, value):
        return self._qlibra_search_flag("losing_money", operator, value)

    def action_view_qlibra_profitability(self):
        self.ensure_one()
        return self.env["qlibra.contract"]._qlibra_window_action(
            "qlibra_task.qlibra_profitability_report_action",
            [("partner_id", "=", self.commercial_partner_id.id)],
            display_name=self.env._("Profitability of %s", self.display_name),
        )

    def action_qlibra_renegotiate(self):
        """Renegotiate the client's running contract (clients to renegotiate)."""
        self.ensure_one()
        contract = self.qlibra_main_contract_id
        if not contract:
            raise UserError(_("%s has no running contract.", self.display_name))
        return contract.action_renegotiate()

    def action_view_qlibra_contracts(self):
        self.ensure_one()
        return self.env["qlibra.contract"]._qlibra_window_action(
            "qlibra_task.qlibra_contract_action",
            [("partner_id", "=", self.commercial_partner_id.id)],
            context={"default_partner_id": self.commercial_partner_id.id},
        )
