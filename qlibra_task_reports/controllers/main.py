# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo.http import content_disposition, request, route

from odoo.addons.report_xlsx.controllers.main import ReportController


class QlibraReportController(ReportController):
    @route()
    def report_download(self, data, context=None, token=None, readonly=True):
        """Name the download of a qLibra report by its clients and period.

        Odoo (and report_xlsx) name a report printed with data, as from the
        wizard, or on several records after its action ("Client Statement
        (PDF).pdf"); the report's ``print_report_name`` names it here too.
        """
        response = super().report_download(
            data, context=context, token=token, readonly=readonly
        )
        # A failed rendering answers without an attachment header.
        if response is None or not response.headers.get("Content-Disposition"):
            return response
        url = json.loads(data)[0]
        file_name = request.env["ir.actions.report"]._qlibra_download_file_name(url)
        if file_name:
            response.headers["Content-Disposition"] = content_disposition(file_name)
        return response
