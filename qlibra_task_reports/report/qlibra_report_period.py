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
    """What the report models (which inherit it) and the wizards share: the
    period, the clients, the figures read from the analysis, the actions."""

    _name = "qlibra.report.period"
    _description = "Client Report Period"

    @api.model
    def _previous_month(self):
        month = qlibra_today(self).replace(day=1)
        return month - relativedelta(months=1), month - relativedelta(days=1)

    @api.model
    def _next_month(self):
        """The first day of next month (when a renegotiated fee applies)."""
        return qlibra_today(self).replace(day=1) + relativedelta(months=1)

    @api.model
    def _get_period(self, data=None):
        """(date_from, date_to) of ``data``, else of the context keys
        ``qlibra_date_from``/``qlibra_date_to`` (a mail template rendering
        the statement), else the previous calendar month."""
        data = data or {}
        ctx = self.env.context
        date_from = data.get("date_from") or ctx.get("qlibra_date_from")
        date_to = data.get("date_to") or ctx.get("qlibra_date_to")
        if not date_from or not date_to:
            date_from, date_to = self._previous_month()
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
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
        """ "September 2026", or "September 2026 – October 2026" (the
        statement e-mail's subject), in the context's language."""
        months = [
            format_date(self.env, day, date_format="MMMM y")
            for day in self._get_period(data)
        ]
        return months[0] if months[0] == months[1] else " – ".join(months)

    @api.model
    def _get_file_name(self, title, partners=None, data=None):
        """ "Statement - Azure Interior - 2026-10" (the client only when there
        is one; "2026-07 - 2026-09" for several months), without extension."""
        date_from, date_to = self._get_period(data)
        months = sorted({f"{date_from:%Y-%m}", f"{date_to:%Y-%m}"})
        parts = [title]
        if partners is not None and len(partners) == 1:
            parts.append(partners.name)
        return " - ".join(parts + months)

    @api.model
    def _get_partners(self, docids, data=None):
        """The commercial partners of ``docids``, else of
        ``data["partner_ids"]`` (the web client prints a report action that
        carries data without record ids)."""
        ids = docids or (data or {}).get("partner_ids") or []
        return self.env["res.partner"].browse(ids).commercial_partner_id

    @api.model
    def _months(self, date_from, date_to):
        """First day of every calendar month the period touches."""
        start = date_from.replace(day=1)
        return [day.date() for day in rrule(MONTHLY, dtstart=start, until=date_to)]

    @api.model
    def _partner_report_values(self, partners, date_from, date_to, **values):
        """The values of a report on clients, for its QWeb template."""
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
        """{(contract_id, month): sums} of the analysis, as the client pays
        (in the contract's currency): ``hours``, ``change_request_hours``,
        ``revenue`` and the revenue per row type (``time``, ``fee``,
        ``overage``...). Hourly revenue is rounded per line there: the
        reports bill what the analysis shows, to the cent."""
        figures = defaultdict(lambda: defaultdict(float))
        if not contracts:
            return figures
        self.env.flush_all()
        rows = self.env["qlibra.profitability.report"]._read_group(
            [
                ("contract_id", "in", contracts.ids),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
            ],
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
        """A subscription month as the statement and the service review show
        it: included, used, carried and extra hours (the contract's rules),
        the fee and the extra hours billed (the analysis's)."""
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
        # so printing never stops at Odoo's document layout dialog.
        action = self.env.ref(report_xmlid).report_action(
            records, data=data, config=False
        )
        # The wizard closes once the download starts, as Odoo's own do.
        action["close_on_report_download"] = True
        return action

    def _composer_action(self, name, records, template, context):
        """The mail composer on ``records`` with ``template``, as Odoo's
        documents open it; ``context``: the composition mode and what the
        report reads when the template renders it."""
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": records._name,
                "default_res_ids": records.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "force_email": True,
                **context,
            },
        }
