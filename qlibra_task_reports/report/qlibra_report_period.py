# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, rrule

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from odoo.addons.qlibra_task.models.qlibra_today import today as qlibra_today

# The carried-hours balance of a month (qlibra.contract._qlibra_rollover_balances).
CARRIED_KEYS = ("carried_in", "used_carried", "expired", "carried_out")


class QlibraReportPeriod(models.AbstractModel):
    """The period, clients, figures and actions of the reports and wizards."""

    _name = "qlibra.report.period"
    _description = "Client Report Period"

    @api.model
    def _previous_month(self):
        month = qlibra_today(self).replace(day=1)
        return month - relativedelta(months=1), month - relativedelta(days=1)

    @api.model
    def _next_month(self):
        return qlibra_today(self).replace(day=1) + relativedelta(months=1)

    @api.model
    def _get_period(self, data=None):
        """Of ``data``, else the context (mail templates), else last month."""
        data, ctx = data or {}, self.env.context
        date_from = data.get("date_from") or ctx.get("qlibra_date_from")
        date_to = data.get("date_to") or ctx.get("qlibra_date_to")
        if not date_from or not date_to:
            date_from, date_to = self._previous_month()
        date_from, date_to = map(fields.Date.to_date, (date_from, date_to))
        if date_to < date_from:
            raise UserError(_("The end of the period is before its start."))
        # Fees, included hours and overage are figures of whole months: a
        # statement of half a month would bill the whole month's fee.
        if date_from.day != 1 or date_to != date_to + relativedelta(day=31):
            raise UserError(
                _(
                    "A statement or report covers whole calendar months: from the "
                    "first day of a month (not %(date_from)s) to the last day of a "
                    "month (not %(date_to)s).",
                    date_from=fields.Date.to_string(date_from),
                    date_to=fields.Date.to_string(date_to),
                )
            )
        return date_from, date_to

    @api.model
    def _get_period_label(self, data=None):
        """ "September 2026 – October 2026" (the e-mail's subject)."""
        months = [
            format_date(self.env, day, date_format="MMMM y")
            for day in self._get_period(data)
        ]
        return months[0] if months[0] == months[1] else " – ".join(months)

    @api.model
    def _get_file_name(self, title, partners=None, data=None):
        """ "Statement - Azure Interior - 2026-07 - 2026-09" (one client)."""
        months = sorted({f"{day:%Y-%m}" for day in self._get_period(data)})
        client = [partners.name] if partners is not None and len(partners) == 1 else []
        return " - ".join([title, *client, *months])

    @api.model
    def _get_partners(self, docids, data=None):
        """Of ``docids``, else ``data``'s (the web client prints no ids)."""
        ids = docids or (data or {}).get("partner_ids") or []
        return self.env["res.partner"].browse(ids).commercial_partner_id

    @api.model
    def _months(self, date_from, date_to):
        start = date_from.replace(day=1)
        return [day.date() for day in rrule(MONTHLY, dtstart=start, until=date_to)]

    @api.model
    def _partner_report_values(self, partners, date_from, date_to, **values):
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": self.env.company,
            "date_from": date_from,
            "date_to": date_to,
            **values,
        }

    @api.model
    def _check_group(self, group, message):
        if not self.env.user.has_group(group):
            raise AccessError(message)

    @api.model
    def _contract_month_figures(self, contracts, date_from, date_to):
        """{(contract_id, month): the analysis's hours, change_request_hours,
        revenue and revenue per row type}, in the contract's currency."""
        figures = defaultdict(lambda: defaultdict(float))
        if not contracts:
            return figures
        self.env.flush_all()
        dates = [("date", ">=", date_from), ("date", "<=", date_to)]
        rows = self.env["qlibra.profitability.report"]._read_group(
            [("contract_id", "in", contracts.ids), *dates],
            ["contract_id", "date:month", "row_type"],
            ["hours:sum", "change_request_hours:sum", "contract_revenue:sum"],
        )
        for contract, month, row_type, hours, cr_hours, revenue in rows:
            values = figures[(contract.id, month)]
            values["hours"] += hours
            values["change_request_hours"] += cr_hours
            values["revenue"] += revenue
            values[row_type] += revenue
        return figures

    @api.model
    def _subscription_month(self, contract, month, figures, balances):
        """Hours by the contract's rules, amounts by the analysis."""
        values = figures.get((contract.id, month), {})
        balance = balances.get(contract.id, {}).get(month, {})
        return {
            "month": month,
            "included_hours": contract._included_hours_in_month(month),
            "used_hours": values.get("hours", 0.0),
            **{key: balance.get(key, 0.0) for key in CARRIED_KEYS},
            "extra_hours": balance.get("overage_hours", 0.0),
            "fee": values.get("fee", 0.0),
            "overage_rate": contract.overage_rate,
            "overage_amount": values.get("overage", 0.0),
        }

    def _print_action(self, report_xmlid, records, data):
        # config=False: the documents carry the firm's identity in their body,
        # never stop at Odoo's layout dialog; the wizard closes as Odoo's do.
        report = self.env.ref(report_xmlid)
        action = report.report_action(records, data=data, config=False)
        return {**action, "close_on_report_download": True}

    def _composer_action(self, name, records, template, context):
        """The mail composer as Odoo's documents open it."""
        return self.env["mail.compose.message"]._get_records_action(
            name=name,
            target="new",
            context={
                "default_model": records._name,
                "default_res_ids": records.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "force_email": True,
                **context,
            },
        )
