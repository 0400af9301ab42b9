# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import MARCH, QlibraReportsCommon


@tagged("post_install", "-at_install")
class TestStatementWizard(QlibraReportsCommon):
    def _wizard(self, user=None, **context):
        Wizard = self.env["qlibra.statement.wizard"].with_user(user or self.accountant)
        return Form(Wizard.with_context(**context))

    def test_presets(self):
        form = self._wizard()
        form.period = "last_quarter"
        today = fields.Date.context_today(self.accountant)
        quarter = today.replace(day=1, month=(today.month - 1) // 3 * 3 + 1)
        self.assertEqual(form.date_from, quarter - relativedelta(months=3))
        self.assertEqual(form.date_to, quarter - relativedelta(days=1))
        form.period = "last_month"
        self.assertEqual(form.date_from, today.replace(day=1) - relativedelta(months=1))
        self.assertEqual(form.date_to, today.replace(day=1) - relativedelta(days=1))
        form.period = "this_year"
        self.assertEqual(form.date_from, date(today.year, 1, 1))
        self.assertEqual(form.date_to, date(today.year, 12, 31))

    def test_default_clients_with_running_contract(self):
        own = self.env.company.partner_id
        internal = self.env["project.project"].create(
            {"name": "Internal Training", "partner_id": own.id}
        )
        self.env["qlibra.contract"].create(
            {
                "partner_id": own.id,
                "contract_type": "non_billable",
                "date_start": date(2025, 1, 1),
                "project_ids": [(6, 0, internal.ids)],
            }
        )
        form = self._wizard()
        form.period = "custom"
        form.date_from = date(2025, 3, 1)
        form.date_to = date(2025, 3, 31)
        clients = form.save().partner_ids.ids
        self.assertIn(self.alpha.id, clients)
        self.assertIn(self.beta.id, clients)
        self.assertIn(self.gamma.id, clients)
        self.assertNotIn(self.delta.id, clients)
        self.assertNotIn(own.id, clients)
        form.date_from = date(2024, 3, 1)
        form.date_to = date(2024, 3, 31)
        self.assertNotIn(self.alpha, form.save().partner_ids)

    def test_default_clients_include_archived_contracts(self):
        """Archiving ends a contract; its client still had time and fees in
        the months it ran, so the statements of those months include it."""
        self.contract_alpha.with_user(self.manager).action_archive()
        self.assertFalse(self.contract_alpha.active)
        form = self._custom_march()
        self.assertIn(self.alpha, form.save().partner_ids)
        # Not for a period after its end.
        self.contract_alpha.date_end = date(2025, 3, 31)
        form.date_from = date(2025, 4, 1)
        form.date_to = date(2025, 4, 30)
        self.assertNotIn(self.alpha, form.save().partner_ids)

    def test_clients_from_partner_list(self):
        form = self._wizard(active_model="res.partner", active_ids=self.delta.ids)
        self.assertEqual(form.save().partner_ids, self.delta)

    def _custom_march(self, **context):
        form = self._wizard(**context)
        form.period = "custom"
        form.date_from = date(2025, 3, 1)
        form.date_to = date(2025, 3, 31)
        return form

    def test_print_pdf_and_xlsx(self):
        form = self._custom_march()
        form.partner_ids.clear()
        form.partner_ids.add(self.alpha)
        form.partner_ids.add(self.beta)
        wizard = form.save()
        action = wizard.action_print()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(
            action["report_name"], "qlibra_task_reports.report_client_statement"
        )
        self.assertEqual(action["data"]["date_from"], MARCH["date_from"])
        self.assertEqual(action["data"]["date_to"], MARCH["date_to"])
        self.assertEqual(
            sorted(action["context"]["active_ids"]),
            sorted((self.alpha | self.beta).ids),
        )
        wizard.file_format = "xlsx"
        action = wizard.action_print()
        self.assertEqual(action["report_type"], "xlsx")
        # What the action prints is the real report.
        text = self._render_pdf_text(
            "qlibra_task_reports.action_report_client_statement",
            self.alpha,
            data=action["data"],
            user=self.accountant,
        )
        self.assertIn("$ 480.00", text)

    def test_only_whole_months(self):
        """Two statements of 1-15 and 16-30 September would each bill the
        whole month's fee: a period of part of a month is refused."""
        for date_from, date_to in (
            (date(2025, 9, 1), date(2025, 9, 15)),
            (date(2025, 9, 16), date(2025, 9, 30)),
            (date(2025, 2, 2), date(2025, 3, 31)),
        ):
            form = self._wizard()
            form.period = "custom"
            form.date_from = date_from
            form.date_to = date_to
            with self.subTest(date_from=date_from), self.assertRaises(UserError):
                form.save().action_print()
        Report = self.env["report.qlibra_task_reports.report_client_statement"]
        with self.assertRaises(UserError):
            Report.with_user(self.accountant)._get_report_values(
                self.alpha.ids, {"date_from": "2025-09-01", "date_to": "2025-09-15"}
            )
        # A range of whole months is fine.
        form = self._custom_march()
        form.date_from = date(2025, 1, 1)
        self.assertEqual(form.save().action_print()["type"], "ir.actions.report")

    def test_print_skips_document_layout_dialog(self):
        """The first print never opens Odoo's document layout configurator,
        even for a company that has not chosen a layout."""
        self.env.company.external_report_layout_id = False
        admin = self.env.ref("base.user_admin")  # Odoo asks administrators only
        form = self._wizard(user=admin)
        form.period = "custom"
        form.date_from = date(2025, 3, 1)
        form.date_to = date(2025, 3, 31)
        action = form.save().action_print()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(
            action["report_name"], "qlibra_task_reports.report_client_statement"
        )

    def test_accountant_cannot_print_profitability(self):
        wizard = self._custom_march().save()
        wizard.report = "profitability"
        with self.assertRaises(AccessError):
            wizard.action_print()
        manager_wizard = (
            self.env["qlibra.statement.wizard"]
            .with_user(self.manager)
            .create({"period": "last_month", "report": "profitability"})
        )
        action = manager_wizard.action_print()
        self.assertEqual(
            action["report_name"], "qlibra_task_reports.report_profitability"
        )

    def _composer(self, action):
        """The mail composer the action opens, as the accountant sees it."""
        self.assertEqual(action["res_model"], "mail.compose.message")
        self.assertEqual(action["target"], "new")
        context = dict(action["context"], force_report_rendering=True)
        return Form(
            self.env["mail.compose.message"]
            .with_user(self.accountant)
            .with_context(**context)
        )

    def _comments(self, partner):
        return partner.message_ids.filtered(lambda m: m.message_type == "comment")

    def test_send_one_client_opens_the_composer(self):
        """One client: the composer opens on the template, with the
        statement PDF attached, and nothing is sent before the accountant
        clicks Send."""
        form = self._custom_march()
        form.partner_ids.clear()
        form.partner_ids.add(self.alpha)
        action = form.save().action_send()
        self.assertEqual(action["context"]["default_composition_mode"], "comment")
        composer = self._composer(action)
        self.assertFalse(self._comments(self.alpha), "nothing sent yet")
        # The subject names the period (test_document_layout.py).
        self.assertEqual(composer.subject, f"{self.company.name}: Statement March 2025")
        self.assertIn("Dear Alpha Trade", composer.body)
        self.assertIn(self.alpha, composer.partner_ids)
        (attachment,) = composer.attachment_ids
        self.assertEqual(attachment.name, "Statement - Alpha Trade - 2025-03.pdf")
        self.assertIn("$ 480.00", self._pdf_to_text(attachment.raw))
        composer.save().action_send_mail()
        message = self._comments(self.alpha)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.accountant.partner_id)
        (attachment,) = message.attachment_ids
        self.assertEqual(attachment.name, "Statement - Alpha Trade - 2025-03.pdf")
        text = self._pdf_to_text(attachment.raw)
        self.assertIn("03/01/2025 - 03/31/2025", text)
        self.assertIn("$ 480.00", text)
        # The client is notified by e-mail.
        notification = message.notification_ids.filtered(
            lambda n: n.res_partner_id == self.alpha
        )
        self.assertEqual(notification.notification_type, "email")

    def test_accountants_post_on_clients(self):
        """Sending a statement posts it in the client's chatter: accountants
        may post on the contacts they read without the right to edit them;
        other internal users still may not."""
        employee = new_test_user(self.env, login="qlibra_send_employee")
        for user, allowed in ((self.accountant, True), (employee, False)):
            self.assertFalse(self.alpha.with_user(user).has_access("write"))
            with self.subTest(user=user.login):
                post = self.alpha.with_user(user).message_post
                if allowed:
                    self.assertTrue(post(body="Statement follows"))
                else:
                    with self.assertRaises(AccessError):
                        post(body="Statement follows")

    def test_send_several_clients_in_mass_mode(self):
        """Several clients: one e-mail each, with its own statement, through
        the composer in mass mode."""
        form = self._custom_march()
        form.partner_ids.clear()
        form.partner_ids.add(self.alpha)
        form.partner_ids.add(self.beta)
        action = form.save().action_send()
        self.assertEqual(action["context"]["default_composition_mode"], "mass_mail")
        # Queued rather than sent at once, to read each e-mail.
        self.env["ir.config_parameter"].sudo().set_param(
            "mail.mail.force.send.limit", 0
        )
        self._composer(action).save().action_send_mail()
        for partner, amount in ((self.alpha, "$ 480.00"), (self.beta, "$ 688.75")):
            mail = (
                self.env["mail.mail"]
                .sudo()
                .search([("model", "=", "res.partner"), ("res_id", "=", partner.id)])
            )
            self.assertEqual(len(mail), 1)
            self.assertEqual(mail.recipient_ids, partner)
            self.assertEqual(mail.subject, f"{self.company.name}: Statement March 2025")
            # Logged in the client's chatter once sent.
            self.assertIn(mail.mail_message_id, partner.message_ids)
            (attachment,) = mail.attachment_ids
            self.assertEqual(
                attachment.name, f"Statement - {partner.name} - 2025-03.pdf"
            )
            text = self._pdf_to_text(attachment.raw)
            self.assertIn(partner.name, text)
            self.assertIn(amount, text)

    def test_send_refuses_clients_without_email(self):
        form = self._custom_march()
        form.partner_ids.clear()
        form.partner_ids.add(self.alpha)
        form.partner_ids.add(self.delta)
        wizard = form.save()
        with self.assertRaises(UserError):
            wizard.action_send()
        self.assertFalse(
            self.alpha.message_ids.filtered(lambda m: m.message_type == "comment")
        )
