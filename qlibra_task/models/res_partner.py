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
MONEY_FIGURE = {**FIGURE, "currency_field": "qlibra_currency_id"}


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
        string="Current Monthly Fee",
        **FIGURE,
        currency_field="qlibra_fee_currency_id",
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
        rows = (
            self.env["qlibra.contract"]
            .with_context(active_test=False)
            ._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        )
        counts = {partner.id: count for partner, count in rows}
        for partner in self:
            partner.qlibra_contract_count = counts.get(partner.id, 0)

    @api.model
    def _qlibra_client_ids(self):
        """Ids of the clients of the user's companies: the partners with a
        contract (archived ones included: they had one) or with rows in the
        analysis, but none of the firms' own partners."""
        contracts = (
            self.env["qlibra.contract"]
            .sudo()
            .with_context(active_test=False)
            ._read_group([("company_id", "in", self.env.companies.ids)], ["partner_id"])
        )
        figures = (
            self.env["qlibra.profitability.report"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "in", self.env.companies.ids),
                    ("partner_id", "!=", False),
                ],
                ["partner_id"],
            )
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
    def _qlibra_periods(self, reference_month=None):
        """First day of the reference month (default: the current month) and
        of the trailing window before it."""
        month_start = (reference_month or qlibra_today(self)).replace(day=1)
        return month_start, self._qlibra_trailing_start(month_start)

    @api.model
    def _qlibra_trailing_start(self, reference_month):
        """First day of the trailing window: the last TRAILING_MONTHS full
        months before the reference month (today's month on forms, the
        month after the period on reports)."""
        return reference_month.replace(day=1) - relativedelta(months=TRAILING_MONTHS)

    def _qlibra_contracts_between(self, date_from, date_to, domain=()):
        """The clients' contracts that run on some day of date_from..date_to,
        in the user's companies (archived ones included: they ran)."""
        Contract = self.env["qlibra.contract"].sudo().with_context(active_test=False)
        return Contract.search(
            [
                ("partner_id", "in", self.ids),
                ("company_id", "in", self.env.companies.ids),
                *domain,
                *Contract._qlibra_running_domain(date_from, date_to),
            ]
        )

    def _qlibra_contract_months(self, reference_month):
        """{partner id: number of months of the trailing window in which the
        client had a contract} (archived contracts included: they ran)."""
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
        """SPEC's renegotiation rules, for the forms and the reports alike.

        ``contract`` sets the terms (target margin, billable or not); the
        trailing cost and revenue are those of the trailing window, in which
        the client had a contract during ``months`` months.
        """
        target = contract.target_margin if contract else 0.0
        percent = margin_percent(trailing_revenue, trailing_cost)
        billable = contract._qlibra_rule().billable if contract else False
        return {
            "target_margin": target,
            "trailing_margin_percent": percent,
            # Non-billable work is meant to cost; time no contract covers
            # is not.
            "losing_money": bool(
                (billable or not contract) and trailing_revenue < trailing_cost
            ),
            "to_renegotiate": bool(
                billable and percent is not None and percent < target
            ),
            # The average is over the months under contract, not always 3;
            # the fee in the contract's currency (its cost converted at this
            # month's rate, then rounded up there).
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
        """Hours each client's subscriptions include in the month (SPEC: a
        client's consumption = its subscriptions' hours / the sum of their
        included hours), archived ones included for the days they ran."""
        last = month + relativedelta(months=1, days=-1)
        subscriptions = self._qlibra_contracts_between(
            month, last, [("contract_type", "in", types_with("monthly_fee"))]
        )
        included = defaultdict(float)
        for contract in subscriptions:
            included[contract.partner_id.id] += contract._included_hours_in_month(month)
        return included

    def _qlibra_main_contracts(self, day=None):
        """The contract running on ``day`` (default: today) that sets each
        client's terms, in one query.

        A subscription wins over other types; then the latest start. For a
        past day, archived contracts count: they ran (SPEC, Lifecycle).
        """
        today = qlibra_today(self)
        day = day or today
        Contract = self.env["qlibra.contract"].sudo()
        contracts = Contract.with_context(active_test=day >= today).search(
            [
                ("partner_id", "in", self.ids),
                ("company_id", "in", self.env.companies.ids),
                *Contract._qlibra_running_domain(day),
            ],
            order="date_start desc, id desc",
        )
        main = {}
        for contract in contracts.sorted(lambda c: not c._qlibra_rule().monthly_fee):
            main.setdefault(contract.partner_id.id, contract)
        return main

    def _qlibra_figures(self, reference_month=None):
        """Figures of each client, in a fixed number of queries.

        ``reference_month``: any day of the month whose trailing window sets
        the renegotiation figures (default: the current month, as on the
        forms; a report passes the month after its period). The terms are
        those of the contract running today in the current month, else on
        the last day before the reference month.

        Returns {partner_id: dict}; see _compute_qlibra_figures for the keys.
        """
        month_start, trailing_start = self._qlibra_periods(reference_month)
        today = qlibra_today(self)
        terms_day = (
            today
            if month_start == today.replace(day=1)
            else month_start - relativedelta(days=1)
        )
        rows = (
            self.env["qlibra.profitability.report"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.ids),
                    ("date", ">=", trailing_start),
                    # Months after the current one (time logged ahead) are
                    # in neither period.
                    ("date", "<", month_start + relativedelta(months=1)),
                    # sudo() skips the record rules: keep to the user's companies.
                    ("company_id", "in", self.env.companies.ids),
                ],
                ["partner_id", "contract_type", "date:month"],
                [
                    "hours:sum",
                    "change_request_hours:sum",
                    "cost:sum",
                    "revenue:sum",
                ],
            )
        )
        keys = [
            f"{period}_{measure}"
            for period in ("month", "trailing")
            for measure in ("hours", "cost", "revenue", "cr_hours")
        ] + ["month_subscription_hours"]
        totals = defaultdict(lambda: dict.fromkeys(keys, 0.0))
        for partner, contract_type, month, hours, cr_hours, cost, revenue in rows:
            period = "month" if month >= month_start else "trailing"
            figures = totals[partner.id]
            figures[f"{period}_hours"] += hours
            figures[f"{period}_cost"] += cost
            figures[f"{period}_revenue"] += revenue
            figures[f"{period}_cr_hours"] += cr_hours
            if period == "month" and contract_type in types_with("monthly_fee"):
                figures["month_subscription_hours"] += hours
        main_contracts = self._qlibra_main_contracts(terms_day)
        month_included = self._qlibra_month_included_hours(month_start)
        contract_months = self._qlibra_contract_months(month_start)
        result = {}
        for partner in self:
            figures = totals[partner.id]
            contract = main_contracts.get(partner.id)
            included = month_included[partner.id]
            result[partner.id] = {
                **figures,
                "contract": contract,
                **self._qlibra_renegotiation(
                    contract,
                    figures["trailing_cost"],
                    figures["trailing_revenue"],
                    contract_months[partner.id],
                ),
                "month_margin_percent": margin_percent(
                    figures["month_revenue"], figures["month_cost"]
                ),
                "consumption_percent": consumption_percent(
                    figures["month_subscription_hours"], included
                )
                or 0.0,
                "change_request_share": change_request_share(
                    figures["trailing_cr_hours"], figures["trailing_hours"]
                )
                or 0.0,
            }
        return result

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_qlibra_figures(self):
        all_figures = self._qlibra_figures()
        currency = self.env.company.currency_id
        for partner in self:
            figures = all_figures[partner.id]
            contract = figures["contract"]
            partner.qlibra_currency_id = currency
            partner.qlibra_fee_currency_id = (
                contract.currency_id if contract else currency
            )
            partner.qlibra_main_contract_id = contract
            partner.qlibra_main_contract_type = (
                contract.contract_type if contract else False
            )
            partner.qlibra_month_hours = figures["month_hours"]
            partner.qlibra_month_cost = figures["month_cost"]
            partner.qlibra_month_revenue = figures["month_revenue"]
            partner.qlibra_month_margin = (
                figures["month_revenue"] - figures["month_cost"]
            )
            partner.qlibra_month_margin_percent = figures["month_margin_percent"] or 0.0
            partner.qlibra_consumption_percent = figures["consumption_percent"]
            partner.qlibra_trailing_hours = figures["trailing_hours"]
            partner.qlibra_trailing_cost = figures["trailing_cost"]
            partner.qlibra_trailing_revenue = figures["trailing_revenue"]
            partner.qlibra_trailing_margin = (
                figures["trailing_revenue"] - figures["trailing_cost"]
            )
            partner.qlibra_trailing_margin_percent = (
                figures["trailing_margin_percent"] or 0.0
            )
            partner.qlibra_has_trailing_revenue = bool(figures["trailing_revenue"])
            partner.qlibra_change_request_share = figures["change_request_share"]
            partner.qlibra_target_margin = figures["target_margin"]
            partner.qlibra_current_fee = contract.monthly_fee if contract else 0.0
            partner.qlibra_suggested_fee = figures["suggested_fee"]
            partner.qlibra_to_renegotiate = figures["to_renegotiate"]
            partner.qlibra_losing_money = figures["losing_money"]

    def _qlibra_search_flag(self, flag, operator, value):
        """Search clients on a flag of _qlibra_figures().

        Only clients with time or revenue in the trailing window can carry a
        flag, so they are the only ones computed.
        """
        # The flags tell who loses money: searching on them is reading them.
        check_manager(
            self.env, _("Only client profitability managers can search on margins.")
        )
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return [("id", "in", [])]
        _month_start, trailing_start = self._qlibra_periods()
        rows = (
            self.env["qlibra.profitability.report"]
            .sudo()
            ._read_group(
                [
                    ("date", ">=", trailing_start),
                    ("company_id", "in", self.env.companies.ids),
                ],
                ["partner_id"],
                [],
            )
        )
        clients = self.browse([partner.id for (partner,) in rows if partner])
        flagged = [
            partner_id
            for partner_id, figures in clients._qlibra_figures().items()
            if figures[flag]
        ]
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
        """Renegotiate the client's running contract (from the list of clients
        to renegotiate)."""
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
