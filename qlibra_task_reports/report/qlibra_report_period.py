# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from odoo.addons.qlibra_task.models.qlibra_today import today as qlibra_today


class QlibraReportPeriod(models.AbstractModel):
    """Shared by the report models: the period a report covers."""

    _name = "qlibra.report.period"
    _description = "Client Report Period"

    @api.model
    def _get_period(self, data=None):
        """(date_from, date_to) of a report.

        Taken from ``data["date_from"]``/``data["date_to"]``, else from the
        context keys ``qlibra_date_from``/``qlibra_date_to`` (set by the
        wizard when a mail template renders the statement), else the previous
        calendar month.
        """
        data = data or {}
        ctx = self.env.context
        date_from = data.get("date_from") or ctx.get("qlibra_date_from")
        date_to = data.get("date_to") or ctx.get("qlibra_date_to")
        if not date_from or not date_to:
            first_of_month = qlibra_today(self).replace(day=1)
            date_from = first_of_month - relativedelta(months=1)
            date_to = first_of_month - relativedelta(days=1)
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
        """The months of a report's period (``_get_period``), in the language
        of the context: "September 2026", or "September 2026 – October 2026"
        for several months (the statement e-mail's subject)."""
        months = [
            format_date(self.env, day, date_format="MMMM y")
            for day in self._get_period(data)
        ]
        return months[0] if months[0] == months[1] else " – ".join(months)

    @api.model
    def _get_file_name(self, title, partners=None, data=None):
        """The name of a report's file (download or e-mail attachment),
        without extension: "Statement - Azure Interior - 2026-10"; without
        exactly one client, "Statement - 2026-10"; a period of several months
        as "2026-07 - 2026-09". The period is ``_get_period``'s."""
        date_from, date_to = self._get_period(data)
        months = sorted({f"{date_from:%Y-%m}", f"{date_to:%Y-%m}"})
        parts = [title]
        if partners is not None and len(partners) == 1:
            parts.append(partners.name)
        return " - ".join(parts + months)

    @api.model
    def _get_partners(self, docids, data=None):
        """The clients of a report (commercial partners, no duplicates).

        ``docids`` when the report is printed on records; else
        ``data["partner_ids"]`` (the wizard's clients: the web client prints a
        report action that carries data without record ids).
        """
        ids = docids or (data or {}).get("partner_ids") or []
        return self.env["res.partner"].browse(ids).commercial_partner_id

    @api.model
    def _months(self, date_from, date_to):
        """First day of every calendar month the period touches."""
        month = date_from.replace(day=1)
        months = []
        while month <= date_to:
            months.append(month)
            month += relativedelta(months=1)
        return months
