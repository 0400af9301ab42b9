# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .common import QlibraPortalCommon


@tagged("post_install", "-at_install", "qlibra_sales")
class TestPortalStatement(QlibraPortalCommon):
    """The statement of a past month in the portal is the accountant's."""

    def _accountant_text(self, partner, month):
        data = {
            "date_from": fields.Date.to_string(month),
            "date_to": fields.Date.to_string(month + relativedelta(day=31)),
            "partner_ids": partner.ids,
        }
        Report = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            .with_context(force_report_rendering=True)
        )
        content, __ = Report._render_qweb_pdf(
            "qlibra_task_reports.action_report_client_statement",
            partner.ids,
            data=data,
        )
        return self._pdf_to_text(content)

    def test_statement_equals_the_accountants(self):
        url = f"/my/services/statement/{self.alpha.id}/{self.last_month:%Y-%m}"
        response = self._get(self.portal_alpha, url)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertIn(
            f"{self.last_month:%Y-%m}", response.headers["Content-Disposition"]
        )
        text = self._pdf_to_text(response.content)
        self.assertIn("Alpha Services", text)
        self.assertIn("Old", text)
        self.assertNotIn("Beta Hourly", text)
        self.assertEqual(text, self._accountant_text(self.alpha, self.last_month))
        self.assertNoCost(text)
