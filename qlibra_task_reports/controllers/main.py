# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo.http import content_disposition, request, route

from odoo.addons.report_xlsx.controllers.main import ReportController


class QlibraReportController(ReportController):
    @route()
    def report_download(self, data, context=None, token=None, readonly=True):
        """By ``print_report_name`` also with data or several records."""
        response = super().report_download(data, context, token, readonly)
        # A failed rendering answers without an attachment header.
        if response is not None and response.headers.get("Content-Disposition"):
            url = json.loads(data)[0]
            if name := request.env["ir.actions.report"]._qlibra_download_file_name(url):
                response.headers["Content-Disposition"] = content_disposition(name)
        return response
