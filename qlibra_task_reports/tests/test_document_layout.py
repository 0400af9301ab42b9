# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
from datetime import date

from odoo.tests import Form, new_test_user, tagged
from odoo.tools.pdf import PdfFileReader

from odoo.addons.qlibra_task_reports.hooks import set_default_report_layout

from .common import MARCH, QlibraReportsCommon

STATEMENT = "qlibra_task_reports.action_report_client_statement"
PROFITABILITY = "qlibra_task_reports.action_report_profitability"


@tagged("post_install", "-at_install")
class TestDocumentLayout(QlibraReportsCommon):
    """Issue 13 item 7: no layout dialog at the first print, no paper format
    of the add-on's among the company's, the period in the e-mail's subject,
    the statement from the client's form."""

    def test_installed_companies_have_a_layout(self):
        """Installing gives the standard layout to a company without one, so
        an administrator's first print opens no "Configure your document
        layout" dialog."""
        self.assertTrue(self.env.company.external_report_layout_id)
        admin = self.env.ref("base.user_admin")
        action = (
            self.env.ref(STATEMENT)
            .with_user(admin)
            .report_action(self.alpha, data=MARCH)
        )
        self.assertEqual(action["type"], "ir.actions.report")

    def test_hook_sets_missing_layouts_only(self):
        standard = self.env.ref("web.external_layout_standard")
        boxed = self.env.ref("web.external_layout_boxed")
        without = self.env["res.company"].create({"name": "Firm Without Layout"})
        without.external_report_layout_id = False
        chosen = self.env["res.company"].create(
            {"name": "Firm With Layout", "external_report_layout_id": boxed.id}
        )
        set_default_report_layout(self.env)
        self.assertEqual(without.external_report_layout_id, standard)
        self.assertEqual(chosen.external_report_layout_id, boxed)

    def test_no_paper_format_of_its_own(self):
        """Every report.paperformat is offered in Settings > Document Layout
        (base.document.layout's paperformat_id): the add-on adds none."""
        formats = self.env["ir.model.data"].search(
            [
                ("module", "=", "qlibra_task_reports"),
                ("model", "=", "report.paperformat"),
            ]
        )
        self.assertFalse(formats)
        offered = self.env["base.document.layout"]._fields["paperformat_id"]
        self.assertEqual(offered.comodel_name, "report.paperformat")
        names = [name for _id, name in self.env[offered.comodel_name].name_search()]
        self.assertFalse([name for name in names if "Client Profitability" in name])
        self.assertFalse(self.env.ref(PROFITABILITY).paperformat_id)

    def test_profitability_pdf_is_landscape(self):
        content = self._render_pdf(
            PROFITABILITY, self.alpha | self.beta, data=MARCH, user=self.manager
        )
        page = PdfFileReader(io.BytesIO(content)).pages[0]
        self.assertGreater(float(page.mediabox.width), float(page.mediabox.height))
        # The statement keeps the company's portrait paper.
        content = self._render_pdf(
            STATEMENT, self.alpha, data=MARCH, user=self.accountant
        )
        page = PdfFileReader(io.BytesIO(content)).pages[0]
        self.assertLess(float(page.mediabox.width), float(page.mediabox.height))

    def test_period_label(self):
        Period = self.env["qlibra.report.period"]
        self.assertEqual(Period._get_period_label(MARCH), "March 2025")
        self.assertEqual(
            Period._get_period_label(
                {"date_from": "2026-09-01", "date_to": "2026-10-31"}
            ),
            "September 2026 – October 2026",
        )
        self.env["res.lang"]._activate_lang("bg_BG")
        self.assertEqual(
            Period.with_context(lang="bg_BG")._get_period_label(MARCH), "март 2025"
        )

    def _send(self, partners, date_from, date_to):
        wizard = (
            self.env["qlibra.statement.wizard"]
            .with_user(self.accountant)
            .create(
                {
                    "period": "custom",
                    "date_from": date_from,
                    "date_to": date_to,
                    "partner_ids": [(6, 0, partners.ids)],
                }
            )
        )
        action = wizard.action_send()
        composer = Form(
            self.env["mail.compose.message"]
            .with_user(self.accountant)
            .with_context(**action["context"])
        )
        composer.save().action_send_mail()

    def _subject(self, partner):
        # Posted (one client) or logged (several, mass mode) in its chatter.
        return partner.message_ids.filtered(
            lambda m: m.message_type in ("comment", "email_outgoing")
        )[:1].subject

    def test_email_subject_names_the_period(self):
        """The statement e-mail's subject names its months, in each client's
        language."""
        self.env["res.lang"]._activate_lang("bg_BG")
        self.beta.lang = "bg_BG"
        self._send(self.alpha | self.beta, date(2025, 2, 1), date(2025, 3, 31))
        self.assertEqual(
            self._subject(self.alpha),
            f"{self.company.name}: Statement February 2025 – March 2025",
        )
        self.assertIn("февруари 2025 – март 2025", self._subject(self.beta))
        self._send(self.gamma, date(2025, 3, 1), date(2025, 3, 31))
        self.assertEqual(
            self._subject(self.gamma), f"{self.company.name}: Statement March 2025"
        )

    def test_statement_button_on_the_client_form(self):
        """Accountants and managers see a Statement button on a client's form;
        it opens the statement wizard for that client."""
        action = self.env.ref("qlibra_task_reports.qlibra_statement_wizard_action")
        button = f'name="{action.id}"'
        for user in (self.accountant, self.manager):
            arch = (
                self.env["res.partner"]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            self.assertIn(button, arch)
        employee = new_test_user(
            self.env, login="qlibra_layout_employee", groups="base.group_user"
        )
        arch = (
            self.env["res.partner"]
            .with_user(employee)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn(button, arch)
        contact = self.env["res.partner"].create(
            {"name": "Ada Alpha", "parent_id": self.alpha.id}
        )
        form = Form(
            self.env["qlibra.statement.wizard"]
            .with_user(self.accountant)
            .with_context(
                active_model="res.partner",
                active_id=contact.id,
                active_ids=contact.ids,
            )
        )
        self.assertEqual(form.save().partner_ids, self.alpha)
