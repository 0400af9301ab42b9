# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.qlibra_task.models.figures import change_request_share, ratio
from odoo.addons.qlibra_task.models.groups import ACCOUNTANT_GROUP
from odoo.addons.qlibra_task.models.qlibra_today import today as qlibra_today

from .qlibra_report_period import CARRIED_KEYS

REVIEW_MONTHS = (6, 12)
# Summed over the contracts of a month, then over the months.
SUMMED = ("included_hours", "used_hours", "extra_hours", "fee", "overage_amount")
TOTALS = (*SUMMED, "used_carried", "expired", "billed")
TOTALS += ("change_request_count", "change_request_hours")


class ServiceReviewReport(models.AbstractModel):
    """A contract's last 6 or 12 months and the proposed fee; never a cost or
    a margin (the review goes to the client)."""

    _name = "report.qlibra_task_reports.report_service_review"
    _inherit = "qlibra.report.period"
    _description = "Service Review"

    @api.model
    def _get_report_values(self, docids, data=None):
        """``reviews``: ``{contract_id: review}`` of ``data``'s (else the
        context's ``qlibra_review_<key>``) contract_ids, months (6 or 12),
        reference_month, proposed_fee and effective_date."""
        message = _("Only accountants and managers can print service reviews.")
        self._check_group(ACCOUNTANT_GROUP, message)
        data = data or {}

        def param(key):
            return data.get(key) or self.env.context.get(f"qlibra_review_{key}")

        contracts = self._get_contracts(docids, data)
        months_count = int(param("months") or REVIEW_MONTHS[0])
        if months_count not in REVIEW_MONTHS:
            raise UserError(_("A service review covers the last 6 or 12 months."))
        reference = fields.Date.to_date(param("reference_month")) or qlibra_today(self)
        date_to = reference.replace(day=1) - relativedelta(days=1)
        date_from = reference.replace(day=1) - relativedelta(months=months_count)
        effective = fields.Date.to_date(param("effective_date")) or self._next_month()
        args = reference, date_from, date_to, param("proposed_fee"), effective
        reviews = {}
        for contract in contracts:
            report = self.with_context(lang=contract.partner_id.lang or self.env.lang)
            reviews[contract.id] = report._get_review(contract, *args)
        docs = {"doc_ids": contracts.ids, "doc_model": "qlibra.contract"}
        return {**docs, "docs": contracts, "reviews": reviews}

    @api.model
    def _get_contracts(self, docids, data=None):
        ids = docids or (data or {}).get("contract_ids")
        ids = ids or self.env.context.get("qlibra_review_contract_ids")
        return self.env["qlibra.contract"].browse(ids)

    @api.model
    def _qlibra_page_documents(self, docids, data=None):
        """[(contract id, language)]: each is numbered on its own."""
        return [
            (contract.id, contract.partner_id.lang or self.env.lang)
            for contract in self._get_contracts(docids, data)
        ]

    @api.model
    def _chain(self, contract, date_from, date_to):
        """The contract and those it renegotiated that ran in the window."""
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
        months = self._months(date_from, date_to)
        figures = self._contract_month_figures(chain, date_from, date_to)
        counts = self._get_change_request_counts(chain, partner, date_from, date_to)
        # Each contract on its own (a renegotiation carries nothing over).
        balances = chain._qlibra_rollover_balances(months)
        rows = []
        for month in months:
            members = [
                self._subscription_month(member, month, figures, balances)
                for member in chain
            ]
            sums = [figures.get((member.id, month), {}) for member in chain]
            row = {key: sum(m[key] for m in members) for key in SUMMED + CARRIED_KEYS}
            cr_hours = sum(s.get("change_request_hours", 0.0) for s in sums)
            share = change_request_share(cr_hours, row["used_hours"])
            row.update(month=month, change_request_count=counts.get(month, 0))
            row.update(change_request_hours=cr_hours, change_request_share=share)
            rows.append({**row, "billed": sum(s.get("revenue", 0.0) for s in sums)})
        self._add_chart(rows)
        totals = {key: sum(row[key] for row in rows) for key in TOTALS}
        totals["change_request_share"] = change_request_share(
            totals["change_request_hours"], totals["used_hours"]
        )
        if not proposed_fee:
            # Suggested from costs (only its result is printed), else kept.
            figures = partner.sudo()._qlibra_figures(reference)[partner.id]
            proposed_fee = figures["suggested_fee"] or contract.monthly_fee
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
            "current_fee": contract.monthly_fee,
            "proposed_fee": proposed_fee,
            "effective_date": effective_date,
        }

    @api.model
    def _get_change_request_counts(self, contracts, partner, date_from, date_to):
        """Change-request lines per month, on the statement's rows."""
        rows = self.env["report.qlibra_task_reports.report_client_statement"]
        rows = rows._get_line_rows(
            partner.commercial_partner_id, date_from, date_to, self.env.companies.ids
        )
        counts = defaultdict(int)
        for row in rows:
            if row["is_change_request"] and row["contract_id"] in contracts.ids:
                counts[row["date"].replace(day=1)] += 1
        return counts

    @api.model
    def _add_chart(self, rows):
        """Bar widths (%) of included, used within them and extra hours."""
        scale = max([max(r["used_hours"], r["included_hours"]) for r in rows] or [0])
        for row in rows:
            within = row["used_hours"] - row["extra_hours"]
            bars = {"included": row["included_hours"], "within": within}
            bars["extra"] = row["extra_hours"]
            row["chart"] = {
                key: round(ratio(v, scale) or 0.0, 2) for key, v in bars.items()
            }
