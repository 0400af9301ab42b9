# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.qlibra_task.models.figures import change_request_share
from odoo.addons.qlibra_task.models.groups import ACCOUNTANT_GROUP
from odoo.addons.qlibra_task.models.qlibra_today import today as qlibra_today

from .client_statement import CARRIED_KEYS

REVIEW_MONTHS = (6, 12)


class ServiceReviewReport(models.AbstractModel):
    """Service review of a contract, for a renegotiation meeting.

    The client's document: per month of the last 6 or 12 full months, the
    hours used against the included hours, the extra hours, the change
    requests and what was billed; then the proposed new fee. Every figure
    is read from ``qlibra.profitability.report`` (as the client statement
    and the analysis read them) or from the statement's own timesheet rows;
    none is computed here by a rule of its own. It never reads a cost, a
    margin or an hourly cost: the review goes to the client.
    """

    _name = "report.qlibra_task_reports.report_service_review"
    _description = "Service Review"

    @api.model
    def _get_report_values(self, docids, data=None):
        """Values of the service reviews of the contracts ``docids``.

        ``data`` (all optional; the wizard sets them, the context keys
        ``qlibra_review_*`` stand in for them when a mail template renders
        the report):

        - ``contract_ids``: the contracts, when ``docids`` is empty (the web
          client prints an action with data without record ids);
        - ``months``: 6 (default) or 12;
        - ``reference_month``: any day of the month the review is made in
          (default: today); the review covers the full months before it;
        - ``proposed_fee``: the new monthly fee (default: the client's
          suggested fee from the trailing window before the reference month,
          else the current fee);
        - ``effective_date``: when the new fee applies (default: the first
          day of the month after today).

        Returns a dict: ``doc_ids``, ``doc_model`` (``qlibra.contract``),
        ``docs`` (the contracts), ``reviews`` (``{contract_id: review}``).
        Each review is a dict:

        - ``contract``, ``partner``, ``company``, ``lang`` (the client's
          language), ``currency``;
        - ``contracts``: the contract and the contracts it renegotiated
          (``previous_contract_id``, followed back) that ran in the window,
          oldest first;
        - ``date_from``, ``date_to``, ``months_count``;
        - ``months``: one dict per month, oldest first: ``month`` (first
          day), ``included_hours``, ``used_hours``, ``extra_hours`` (hours
          above the included and carried hours of a subscription, per
          contract as the statement counts them), the carried-hours balance
          of subscriptions whose unused hours roll over (``carried_in``,
          ``used_carried``, ``expired``, ``carried_out``; zero without),
          ``change_request_count`` (timesheet
          entries marked as change requests), ``change_request_hours``,
          ``change_request_share`` (percent of the hours, None without
          hours), ``fee`` (subscription fee), ``overage_amount`` (extra
          hours billed), ``billed`` (everything billed for the month: fee,
          extra hours, hourly work, fixed prices delivered), ``chart``
          (bar widths in percent of the widest month: ``included``,
          ``within``, ``extra``);
        - ``totals``: the sums of the months' figures (same keys but
          ``carried_in`` and ``carried_out``, which are balances; share of
          the totals);
        - ``rollover``: whether a contract of the review carries hours;
        - ``current_fee``: the monthly fee of the contract;
        - ``proposed_fee``, ``effective_date``.
        """
        # Accountants print and send service reviews (SPEC, Access): the
        # review shows no cost, margin or rate.
        if not self.env.user.has_group(ACCOUNTANT_GROUP):
            raise AccessError(
                _("Only accountants and managers can print service reviews.")
            )
        data = data or {}
        ctx = self.env.context
        contracts = self._get_contracts(docids, data)
        months_count = int(
            data.get("months") or ctx.get("qlibra_review_months") or REVIEW_MONTHS[0]
        )
        if months_count not in REVIEW_MONTHS:
            raise UserError(_("A service review covers the last 6 or 12 months."))
        today = qlibra_today(self)
        reference = (
            fields.Date.to_date(
                data.get("reference_month") or ctx.get("qlibra_review_reference_month")
            )
            or today
        )
        date_to = reference.replace(day=1) - relativedelta(days=1)
        date_from = reference.replace(day=1) - relativedelta(months=months_count)
        proposed_fee = data.get("proposed_fee")
        if proposed_fee is None:
            proposed_fee = ctx.get("qlibra_review_proposed_fee")
        effective_date = fields.Date.to_date(
            data.get("effective_date") or ctx.get("qlibra_review_effective_date")
        ) or today.replace(day=1) + relativedelta(months=1)
        reviews = {}
        for contract in contracts:
            partner = contract.partner_id
            lang = partner.lang or self.env.lang
            reviews[contract.id] = self.with_context(lang=lang)._get_review(
                contract, reference, date_from, date_to, proposed_fee, effective_date
            )
        return {
            "doc_ids": contracts.ids,
            "doc_model": "qlibra.contract",
            "docs": contracts,
            "reviews": reviews,
        }

    @api.model
    def _get_contracts(self, docids, data=None):
        """The contracts reviewed: ``docids``, else those of ``data`` or of
        the context (see ``_get_report_values``)."""
        return self.env["qlibra.contract"].browse(
            docids
            or (data or {}).get("contract_ids")
            or self.env.context.get("qlibra_review_contract_ids")
        )

    @api.model
    def _qlibra_page_documents(self, docids, data=None):
        """The reviews of a PDF, each numbered "Page X / Y" on its own:
        ``[(contract id, the client's language)]`` (see ir.actions.report)."""
        return [
            (contract.id, contract.partner_id.lang or self.env.lang)
            for contract in self._get_contracts(docids, data)
        ]

    @api.model
    def _chain(self, contract, date_from, date_to):
        """The contract and those it renegotiated, that ran in the window."""
        chain = self.env["qlibra.contract"]
        while contract and contract not in chain:
            chain |= contract
            contract = contract.with_context(active_test=False).previous_contract_id
        return chain.filtered(lambda c: c._is_valid_on(date_from, date_to)).sorted(
            lambda c: (c.date_start, c.id)
        )

    @api.model
    def _get_review(
        self, contract, reference, date_from, date_to, proposed_fee, effective_date
    ):
        partner = contract.partner_id
        chain = self._chain(contract, date_from, date_to) or contract
        months = self.env["qlibra.report.period"]._months(date_from, date_to)
        figures = self._get_month_figures(chain, date_from, date_to)
        counts = self._get_change_request_counts(chain, partner, date_from, date_to)
        # Included, carried and extra hours of each subscription month, each
        # contract on its own (a renegotiation carries nothing over): the
        # contract's one rule, as the client statement shows them.
        balances = chain._qlibra_rollover_balances(months)
        rows = []
        for month in months:
            row = {
                "month": month,
                "included_hours": 0.0,
                "used_hours": 0.0,
                "extra_hours": 0.0,
                **dict.fromkeys(CARRIED_KEYS, 0.0),
                "change_request_count": counts.get(month, 0),
                "change_request_hours": 0.0,
                "fee": 0.0,
                "overage_amount": 0.0,
                "billed": 0.0,
            }
            for member in chain:
                values = figures.get((member.id, month), {})
                row["used_hours"] += values.get("hours", 0.0)
                row["change_request_hours"] += values.get("change_request_hours", 0.0)
                row["fee"] += values.get("fee", 0.0)
                row["overage_amount"] += values.get("overage", 0.0)
                row["billed"] += values.get("revenue", 0.0)
                balance = balances[member.id].get(month, {})
                for key in CARRIED_KEYS:
                    row[key] += balance.get(key, 0.0)
                row["included_hours"] += member._included_hours_in_month(month)
                row["extra_hours"] += balance.get("overage_hours", 0.0)
            row["change_request_share"] = change_request_share(
                row["change_request_hours"], row["used_hours"]
            )
            rows.append(row)
        self._add_chart(rows)
        total_keys = (
            "included_hours",
            "used_hours",
            "extra_hours",
            "used_carried",
            "expired",
            "change_request_count",
            "change_request_hours",
            "fee",
            "overage_amount",
            "billed",
        )
        totals = {key: sum(row[key] for row in rows) for key in total_keys}
        totals["change_request_share"] = change_request_share(
            totals["change_request_hours"], totals["used_hours"]
        )
        current_fee = contract.monthly_fee
        if not proposed_fee:
            # The suggested fee comes from costs: only its result is printed,
            # never what it is computed from. It is the fee of the trailing
            # window before the review's reference month, not today's (SPEC,
            # Reports). Without one (no cost in the window), the fee stays.
            suggested = partner.sudo()._qlibra_figures(reference)[partner.id][
                "suggested_fee"
            ]
            proposed_fee = suggested or current_fee
        return {
            "contract": contract,
            "partner": partner,
            "company": contract.company_id,
            "lang": partner.lang or self.env.lang,
            "currency": contract.currency_id,
            "contracts": chain,
            "date_from": date_from,
            "date_to": date_to,
            "months_count": len(months),
            "months": rows,
            "totals": totals,
            "rollover": any(
                c._qlibra_rule().monthly_fee and c.rollover_max_hours > 0 for c in chain
            ),
            "current_fee": current_fee,
            "proposed_fee": proposed_fee,
            "effective_date": effective_date,
        }

    @api.model
    def _get_month_figures(self, contracts, date_from, date_to):
        """Month figures of the contracts from the profitability view, as the
        client statement reads them (see its _get_monthly_figures).

        Returns {(contract_id, month): {"hours", "change_request_hours",
        "fee", "overage", "revenue"}}.
        """
        self.env.flush_all()
        rows = self.env["qlibra.profitability.report"]._read_group(
            [
                ("contract_id", "in", contracts.ids),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
            ],
            ["contract_id", "date:month", "row_type"],
            # what the client paid, in the contract's currency
            ["hours:sum", "change_request_hours:sum", "contract_revenue:sum"],
        )
        figures = defaultdict(
            lambda: dict.fromkeys(
                ("hours", "change_request_hours", "fee", "overage", "revenue"), 0.0
            )
        )
        for contract, month, row_type, hours, cr_hours, revenue in rows:
            values = figures[(contract.id, month)]
            values["hours"] += hours
            values["change_request_hours"] += cr_hours
            values["revenue"] += revenue
            if row_type in ("fee", "overage"):
                values[row_type] += revenue
        return figures

    @api.model
    def _get_change_request_counts(self, contracts, partner, date_from, date_to):
        """Timesheet entries marked as change requests per month: the
        statement's own timesheet rows, counted as its "Change requests
        (entries)"."""
        rows = self.env["report.qlibra_task_reports.report_client_statement"]
        rows = rows._get_line_rows(
            partner.commercial_partner_id,
            date_from,
            date_to,
            self.env.companies.ids,
        )
        counts = defaultdict(int)
        for row in rows:
            if row["is_change_request"] and row["contract_id"] in contracts.ids:
                counts[row["date"].replace(day=1)] += 1
        return counts

    @api.model
    def _add_chart(self, rows):
        """Bar widths (percent) of the hours chart: the included hours, the
        hours used within them and the extra hours, on the scale of the
        month with the most hours (used or included)."""
        scale = max(
            [max(row["used_hours"], row["included_hours"]) for row in rows] or [0.0]
        )
        for row in rows:
            if not scale:
                row["chart"] = {"included": 0.0, "within": 0.0, "extra": 0.0}
                continue
            within = row["used_hours"] - row["extra_hours"]
            row["chart"] = {
                "included": round(row["included_hours"] / scale * 100, 2),
                "within": round(within / scale * 100, 2),
                "extra": round(row["extra_hours"] / scale * 100, 2),
            }
