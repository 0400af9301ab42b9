# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, fields, http
from odoo.http import content_disposition, request
from odoo.tools import format_date

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.qlibra_task.models.qlibra_today import today as qlibra_today

STATEMENT_REPORT = "qlibra_task_reports.action_report_client_statement"
ROUTE = {"type": "http", "auth": "user", "website": True}


class QlibraServicesPortal(CustomerPortal):
    def _qlibra_contracts(self):
        """Searched as the portal user (its record rules apply)."""
        Contract = request.env["qlibra.contract"]
        if not Contract.has_access("read"):
            return Contract
        domain = Contract._qlibra_portal_domain(request.env.user.partner_id)
        return Contract.search(domain, order="date_start desc, id desc")

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "qlibra_service_count" in counters:
            values["qlibra_service_count"] = len(self._qlibra_contracts())
        return values

    @http.route(["/my/services"], **ROUTE)
    def portal_my_services(self, **kw):
        return self._qlibra_render_services(self._qlibra_contracts())

    @http.route(["/my/services/<int:contract_id>"], **ROUTE)
    def portal_my_service(self, contract_id, **kw):
        contract = self._qlibra_contracts().filtered(lambda c: c.id == contract_id)
        if not contract:
            raise request.not_found()
        return self._qlibra_render_services(contract, single=True)

    def _qlibra_render_services(self, contracts, single=False):
        partner = request.env.user.partner_id.commercial_partner_id
        Contract = request.env["qlibra.contract"]
        months = Contract._qlibra_portal_statement_months(contracts)
        today = qlibra_today(Contract)
        return request.render(
            "qlibra_task_portal.portal_my_services",
            {
                **self._prepare_portal_layout_values(),
                "page_name": "qlibra_services",
                "single": single,
                "services": contracts._qlibra_portal_values(),
                "month_label": format_date(request.env, today, date_format="MMMM y"),
                "statements": [
                    {
                        "label": format_date(request.env, month, date_format="MMMM y"),
                        "url": f"/my/services/statement/{partner.id}/{month:%Y-%m}",
                    }
                    for month in months
                ],
            },
        )

    @http.route(["/my/services/statement/<int:partner_id>/<string:month>"], **ROUTE)
    def portal_my_service_statement(self, partner_id, month, **kw):
        """The statement of a month the Services page offers, as the
        accountant prints it, of the portal user's own commercial partner."""
        partner = request.env.user.partner_id.commercial_partner_id
        Contract = request.env["qlibra.contract"]
        days = Contract._qlibra_portal_statement_months(self._qlibra_contracts())
        months = {f"{day:%Y-%m}": day for day in days}
        if partner_id != partner.id or month not in months:
            raise request.not_found()
        # The data of the statement wizard (qlibra.statement.wizard).
        data = {
            "date_from": fields.Date.to_string(months[month]),
            "date_to": fields.Date.to_string(months[month] + relativedelta(day=31)),
            "partner_ids": [partner.id],
        }
        # The user's own partner: rendered as superuser (the report is for
        # accountants) in the user's companies; a PDF under --test-enable too.
        Report = request.env["ir.actions.report"].with_user(SUPERUSER_ID)
        ctx = {"allowed_company_ids": request.env.companies.ids}
        Report = Report.with_context(**ctx, force_report_rendering=True)
        Report = Report.with_company(request.env.company)
        report = Report._get_report(STATEMENT_REPORT)
        pdf, __ = Report._render_qweb_pdf(report, [partner.id], data=data)
        Period = Report.env["qlibra.report.period"]
        file_name = Period._get_file_name("Statement", partner, data)
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", content_disposition(f"{file_name}.pdf")),
            ],
        )
