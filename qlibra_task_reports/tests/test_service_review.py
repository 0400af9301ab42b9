# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import date
from urllib.parse import quote

from dateutil.relativedelta import relativedelta

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.qlibra_task.models.qlibra_today import today as qlibra_today
from odoo.addons.qlibra_task.tests.common import QlibraHttpCase

from .common import QlibraReportsCommon
from .test_client_statement import INTERNAL_FIGURES

REVIEW = "qlibra_task_reports.action_report_service_review"
REVIEW_MODEL = "report.qlibra_task_reports.report_service_review"
# Six full months before April 2025: October 2024 to March 2025.
APRIL = {"months": 6, "reference_month": "2025-04-01"}


class ServiceReviewCommon(QlibraReportsCommon):
    """Alpha's subscription (fee 200, 10 h) renegotiated an older one
    (2024-07-01 to 2024-12-31: fee 150, 8 h included, 60 per extra hour):
    November 2024 has 9.25 h on it (1.25 extra hours, 75), of which 0.75 h
    is a change request."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"street": "12 Vitosha Blvd", "vat": "BG999999999"})
        cls.contract_alpha_old = cls.env["qlibra.contract"].create(
            {
                "partner_id": cls.alpha.id,
                "contract_type": "subscription",
                "date_start": date(2024, 7, 1),
                "date_end": date(2024, 12, 31),
                "monthly_fee": 150.0,
                "included_hours": 8.0,
                "overage_rate": 60.0,
                "target_margin": 30.0,
            }
        )
        cls.contract_alpha.previous_contract_id = cls.contract_alpha_old
        cls.old_lines = cls._log(
            [
                (
                    cls.task[cls.alpha],
                    cls.employee_a,
                    date(2024, 11, 4),
                    8.5,
                    "Bookkeeping November",
                ),
                (
                    cls.task_alpha_cr,
                    cls.employee_b,
                    date(2024, 11, 20),
                    0.75,
                    "November change",
                ),
            ]
        )

    def _values(self, contract, data=None, user=None):
        return (
            self.env[REVIEW_MODEL]
            .with_user(user or self.manager)
            ._get_report_values(contract.ids, APRIL if data is None else data)
        )

    def _review(self, contract, data=None):
        return self._values(contract, data)["reviews"][contract.id]


@tagged("post_install", "-at_install")
class TestServiceReview(ServiceReviewCommon):
    def test_lines_follow_the_chain(self):
        self.assertEqual(
            self.old_lines.mapped("qlibra_contract_id"), self.contract_alpha_old
        )

    def test_months_and_figures(self):
        review = self._review(self.contract_alpha, {**APRIL, "proposed_fee": 650.0})
        self.assertEqual(
            review["contracts"], self.contract_alpha_old | self.contract_alpha
        )
        self.assertEqual(
            (review["date_from"], review["date_to"]),
            (date(2024, 10, 1), date(2025, 3, 31)),
        )
        months = {row["month"]: row for row in review["months"]}
        self.assertEqual(
            list(months),
            [date(2024, 10, 1) + relativedelta(months=i) for i in range(6)],
        )
        november = months[date(2024, 11, 1)]
        self.assertEqual(november["included_hours"], 8.0)
        self.assertEqual(november["used_hours"], 9.25)
        self.assertEqual(november["extra_hours"], 1.25)
        self.assertEqual(november["change_request_count"], 1)
        self.assertEqual(november["change_request_hours"], 0.75)
        self.assertAlmostEqual(november["fee"], 150.0)
        self.assertAlmostEqual(november["overage_amount"], 75.0)
        self.assertAlmostEqual(november["billed"], 225.0)
        march = months[date(2025, 3, 1)]
        self.assertEqual(march["included_hours"], 10.0)
        self.assertEqual(march["used_hours"], 13.5)
        self.assertEqual(march["extra_hours"], 3.5)
        self.assertEqual(march["change_request_count"], 1)
        self.assertEqual(march["change_request_hours"], 2.0)
        self.assertAlmostEqual(march["change_request_share"], 2.0 / 13.5 * 100)
        self.assertAlmostEqual(march["billed"], 480.0)
        january = months[date(2025, 1, 1)]
        self.assertEqual(
            (january["used_hours"], january["included_hours"], january["fee"]),
            (0.0, 10.0, 200.0),
        )
        self.assertIsNone(january["change_request_share"])
        # Chart: the scale is the busiest month (13.5 h in March).
        self.assertEqual(
            march["chart"], {"included": 74.07, "within": 74.07, "extra": 25.93}
        )
        self.assertEqual(
            months[date(2025, 2, 1)]["chart"],
            {"included": 74.07, "within": 0.0, "extra": 0.0},
        )
        self.assertAlmostEqual(review["totals"]["billed"], 150 * 3 + 75 + 200 * 2 + 480)
        self.assertEqual(review["current_fee"], 200.0)
        self.assertEqual(review["proposed_fee"], 650.0)
        self.assertEqual(
            review["effective_date"],
            qlibra_today(self.env["res.users"]).replace(day=1)
            + relativedelta(months=1),
        )

    def test_figures_are_the_analysis(self):
        """Per month the review shows what the analysis holds for the
        contracts of the chain: hours, change-request hours, fee, billed."""
        review = self._review(self.contract_alpha)
        self.env.flush_all()
        rows = (
            self.env["qlibra.profitability.report"]
            .with_user(self.manager)
            ._read_group(
                [
                    ("contract_id", "in", review["contracts"].ids),
                    ("date", ">=", review["date_from"]),
                    ("date", "<=", review["date_to"]),
                ],
                ["date:month", "row_type"],
                ["hours:sum", "change_request_hours:sum", "revenue:sum"],
            )
        )
        analysis = {}
        for month, row_type, hours, cr_hours, revenue in rows:
            values = analysis.setdefault(
                month, {"hours": 0.0, "cr": 0.0, "fee": 0.0, "billed": 0.0}
            )
            values["hours"] += hours
            values["cr"] += cr_hours
            values["billed"] += revenue
            if row_type == "fee":
                values["fee"] += revenue
        self.assertTrue(analysis)
        for row in review["months"]:
            expected = analysis.get(
                row["month"], {"hours": 0.0, "cr": 0.0, "fee": 0.0, "billed": 0.0}
            )
            self.assertAlmostEqual(row["used_hours"], expected["hours"])
            self.assertAlmostEqual(row["change_request_hours"], expected["cr"])
            self.assertAlmostEqual(row["fee"], expected["fee"])
            self.assertAlmostEqual(row["billed"], expected["billed"])
            # Included and extra hours: the statement's for the same month.
            statement = (
                self.env["report.qlibra_task_reports.report_client_statement"]
                .with_user(self.manager)
                ._get_report_values(
                    self.alpha.ids,
                    {
                        "date_from": str(row["month"]),
                        "date_to": str(row["month"] + relativedelta(months=1, days=-1)),
                    },
                )["statements"][self.alpha.id]
            )
            months = [m for s in statement["sections"] for m in s["months"]]
            self.assertAlmostEqual(
                row["included_hours"], sum(m["included_hours"] for m in months)
            )
            self.assertAlmostEqual(
                row["extra_hours"], sum(m["extra_hours"] for m in months)
            )
            self.assertEqual(
                row["change_request_count"],
                statement["change_request_count"],
            )

    def test_twelve_months_and_default_fee(self):
        review = self._review(
            self.contract_alpha, {"months": 12, "reference_month": "2025-04-15"}
        )
        self.assertEqual(review["date_from"], date(2024, 4, 1))
        self.assertEqual(len(review["months"]), 12)
        # No fee entered: the suggested fee of the trailing window before the
        # reference month (January to March 2025: 647.5 / 3 / 0.7 = 308.33,
        # rounded up to 310), not today's window, where Alpha has no cost
        # (the forms' fee), which would propose the current fee, 200.
        self.assertEqual(review["proposed_fee"], 310.0)
        self.assertFalse(self.alpha.with_user(self.manager).qlibra_suggested_fee)

    def test_default_fee_over_the_months_under_contract(self):
        """A window of which the client had a contract in two months only:
        the suggested fee averages the cost over those two months."""
        self._log(
            [(self.task[self.alpha], self.employee_a, date(2024, 7, 10), 7.0, "Setup")]
        )
        # September 2024: June (no contract), July and August 2024.
        review = self._review(
            self.contract_alpha_old, {"months": 6, "reference_month": "2024-09-01"}
        )
        # 7 h x 45 = 315 over 2 months / 0.7 = 225, rounded up to 230.
        self.assertEqual(review["proposed_fee"], 230.0)
        # The same figure as qlibra_task's own rule for that month.
        figures = self.alpha.sudo()._qlibra_figures(date(2024, 9, 1))[self.alpha.id]
        self.assertEqual(figures["suggested_fee"], 230.0)
        self.assertEqual(figures["contract"], self.contract_alpha_old)

    def test_default_is_six_months_before_this_month(self):
        review = self._review(self.contract_alpha, {})
        this_month = qlibra_today(self.env["res.users"]).replace(day=1)
        self.assertEqual(review["date_to"], this_month - relativedelta(days=1))
        self.assertEqual(review["date_from"], this_month - relativedelta(months=6))

    def test_accountants_and_managers_only(self):
        """Accountants print and send service reviews (SPEC, Access): the
        review shows no cost; an employee cannot."""
        employee = new_test_user(self.env, login="qlibra_review_employee")
        with self.assertRaises(AccessError):
            self._values(self.contract_alpha, user=employee)
        with self.assertRaises(AccessError):
            self.env["qlibra.service.review.wizard"].with_user(employee).create(
                {"contract_id": self.contract_alpha.id}
            )
        review = self._values(self.contract_alpha, user=self.accountant)["reviews"][
            self.contract_alpha.id
        ]
        self.assertEqual(review["proposed_fee"], 310.0)
        action = self.env.ref(REVIEW)
        self.assertIn(
            self.env.ref("qlibra_task.group_qlibra_accountant"), action.groups_id
        )
        # From the wizard, as the accountant, to the PDF.
        wizard = (
            self.env["qlibra.service.review.wizard"]
            .with_user(self.accountant)
            .with_context(
                active_model="qlibra.contract", active_id=self.contract_alpha.id
            )
            .create({})
        )
        self.assertEqual(wizard.contract_id, self.contract_alpha)
        action = wizard.action_print()
        self.assertTrue(action["close_on_report_download"])
        text = self._render_pdf_text(
            REVIEW,
            self.contract_alpha,
            data=dict(action["data"], reference_month="2025-04-01"),
            user=self.accountant,
        )
        self.assertIn("Proposed monthly fee $ 310.00", text)
        # Sending posts in the contract's chatter (costs, margins): managers.
        with self.assertRaises(AccessError):
            wizard.action_send()
        for figure in INTERNAL_FIGURES:
            self.assertNotIn(figure, text)
        for word in ("Cost", "Margin"):
            self.assertNotIn(word, text)

    def test_pdf(self):
        text = self._render_pdf_text(
            REVIEW,
            self.contract_alpha,
            data={**APRIL, "proposed_fee": 650.0, "effective_date": "2025-05-01"},
            user=self.manager,
        )
        self.assertIn("Service Review", text)
        self.assertIn("10/01/2024 - 03/31/2025", text)
        # The contracts of the chain, with their dates.
        self.assertIn(
            "Alpha Trade - Subscription (07/01/2024 - 12/31/2024); "
            "Alpha Trade - Subscription (01/01/2025 -)",
            text,
        )
        self.assertIn(
            "November 2024 08:00 09:15 01:15 1 00:45 8.1 $ 150.00 $ 225.00", text
        )
        self.assertIn(
            "March 2025 10:00 13:30 03:30 1 02:00 14.8 $ 200.00 $ 480.00", text
        )
        self.assertIn("Current monthly fee $ 200.00", text)
        self.assertIn("Proposed monthly fee $ 650.00", text)
        self.assertIn("Effective from 05/01/2025", text)
        # The chart's figures: used / included.
        self.assertIn("13:30 / 10:00", text)
        # The firm's identity is in the body.
        self.assertIn(self.company.name, text)
        self.assertIn("12 Vitosha Blvd", text)
        self.assertIn("BG999999999", text)
        self.assertIn("End of the service review of Alpha Trade", text)
        # Never an internal figure.
        for figure in INTERNAL_FIGURES:
            self.assertNotIn(figure, text)
        for word in ("Cost", "Margin", "cost", "margin"):
            self.assertNotIn(word, text)

    def test_chart_is_drawn_with_divs(self):
        html = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html(REVIEW, self.contract_alpha.ids, data=APRIL)[0]
            .decode()
        )
        self.assertIn("width: 74.07%", html)
        self.assertIn("width: 25.93%", html)
        self.assertNotIn(
            "<img", html.split("o_qlibra_review_chart")[1].split("</table>")[0]
        )
        self.assertNotIn("<script", html.split("o_qlibra_service_review")[1])

    def test_in_the_clients_language(self):
        # The template's own texts get their Bulgarian with the next
        # translation pass; dates already follow the client's language.
        self.env["res.lang"]._activate_lang("bg_BG")
        self.alpha.lang = "bg_BG"
        text = self._render_pdf_text(
            REVIEW, self.contract_alpha, data=APRIL, user=self.manager
        )
        self.assertIn("март 2025", text)
        self.assertIn("01.10.2024", text)

    def test_from_the_clients_to_renegotiate(self):
        """Each row of the clients to renegotiate opens the review of the
        client's running contract."""
        Partner = self.env["res.partner"].with_user(self.manager)
        view = self.env.ref("qlibra_task.res_partner_view_list_renegotiate")
        arch = Partner.get_views([(view.id, "list")])["views"]["list"]["arch"]
        action = self.env.ref("qlibra_task_reports.qlibra_service_review_wizard_action")
        self.assertIn(f'name="{action.id}"', arch)
        self.assertIn("default_contract_id", arch)
        contract = self.alpha.with_user(self.manager).qlibra_main_contract_id
        self.assertTrue(contract)
        form = Form(
            self.env["qlibra.service.review.wizard"]
            .with_user(self.manager)
            .with_context(default_contract_id=contract.id)
        )
        self.assertEqual(form.contract_id, contract)

    def test_wizard_print(self):
        wizard_model = self.env["qlibra.service.review.wizard"].with_user(self.manager)
        form = Form(
            wizard_model.with_context(
                active_model="qlibra.contract", active_id=self.contract_alpha.id
            )
        )
        self.assertEqual(form.contract_id, self.contract_alpha)
        self.assertEqual(form.months, "6")
        self.assertEqual(
            form.proposed_fee, self.alpha.with_user(self.manager).qlibra_suggested_fee
        )
        today = qlibra_today(wizard_model)
        self.assertEqual(
            form.effective_date, today.replace(day=1) + relativedelta(months=1)
        )
        form.months = "12"
        form.proposed_fee = 640.0
        wizard = form.save()
        action = wizard.action_print()
        self.assertEqual(
            action["report_name"], "qlibra_task_reports.report_service_review"
        )
        self.assertEqual(action["data"]["contract_ids"], self.contract_alpha.ids)
        self.assertEqual(action["data"]["months"], 12)
        self.assertEqual(action["data"]["proposed_fee"], 640.0)
        values = (
            self.env[REVIEW_MODEL]
            .with_user(self.manager)
            ._get_report_values([], action["data"])
        )
        review = values["reviews"][self.contract_alpha.id]
        self.assertEqual(len(review["months"]), 12)
        self.assertEqual(
            review["date_to"], today.replace(day=1) - relativedelta(days=1)
        )
        self.assertEqual(review["proposed_fee"], 640.0)

    def test_wizard_send_posts_in_the_contracts_chatter(self):
        wizard = (
            self.env["qlibra.service.review.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "contract_id": self.contract_alpha.id,
                    "proposed_fee": 710.0,
                    "effective_date": "2027-01-01",
                }
            )
        )
        action = wizard.action_send()
        self.assertEqual(action["res_model"], "mail.compose.message")
        context = dict(action["context"], force_report_rendering=True)
        composer = Form(
            self.env["mail.compose.message"]
            .with_user(self.manager)
            .with_context(**context)
        )
        self.assertIn("service review", composer.subject)
        composer.save().action_send_mail()
        message = self.contract_alpha.message_ids.filtered(
            lambda m: m.message_type == "comment"
        )[:1]
        self.assertTrue(message)
        self.assertIn(self.alpha, message.partner_ids)
        (attachment,) = message.attachment_ids
        self.assertEqual(attachment.name, "Service Review - Alpha Trade.pdf")
        text = self._pdf_to_text(attachment.raw)
        self.assertIn("Proposed monthly fee $ 710.00", text)
        self.assertIn("Effective from 01/01/2027", text)


@tagged("post_install", "-at_install")
class TestServiceReviewFromWebClient(ServiceReviewCommon, QlibraHttpCase):
    """Print as the web client does: /report/pdf/<report>/<ids> for the
    action of the Print menu (no data), /report/pdf/<report>?options=<data>
    without ids for the wizard's action (with data)."""

    def _get(self, url):
        self.authenticate(self.manager.login, self.manager.login)
        response = self.url_open(url, timeout=120)
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertTrue(response.content.startswith(b"%PDF"))
        return self._pdf_to_text(response.content)

    def test_print_menu_without_data(self):
        # Time in the last full month, so that the default window shows it.
        last_month = qlibra_today(self.env["res.users"]).replace(day=1) - relativedelta(
            months=1
        )
        self._log(
            [
                (
                    self.task[self.alpha],
                    self.employee_a,
                    last_month + relativedelta(days=2),
                    4.5,
                    "Recent work",
                )
            ]
        )
        self.env.flush_all()
        context = quote(json.dumps({"force_report_rendering": True}))
        text = self._get(
            "/report/pdf/qlibra_task_reports.report_service_review/"
            f"{self.contract_alpha.id}?context={context}"
        )
        month_names = [
            (last_month - relativedelta(months=i)).strftime("%B %Y") for i in range(6)
        ]
        for name in month_names:
            self.assertIn(name, text)
        self.assertIn(f"{month_names[0]} 10:00 04:30 00:00", text)
        fee = self.alpha.with_user(self.manager).qlibra_suggested_fee or 200.0
        self.assertIn(f"Proposed monthly fee $ {fee:,.2f}", text)
        for word in ("Cost", "Margin"):
            self.assertNotIn(word, text)

    def test_wizard_action_with_data(self):
        wizard = (
            self.env["qlibra.service.review.wizard"]
            .with_user(self.manager)
            .create({"contract_id": self.contract_alpha.id, "proposed_fee": 650.0})
        )
        action = wizard.action_print()
        data = dict(action["data"], reference_month="2025-04-01")
        context = dict(action.get("context") or {}, force_report_rendering=True)
        text = self._get(
            "/report/pdf/{}?options={}&context={}".format(
                action["report_name"],
                quote(json.dumps(data)),
                quote(json.dumps(context)),
            )
        )
        self.assertIn(
            "March 2025 10:00 13:30 03:30 1 02:00 14.8 $ 200.00 $ 480.00", text
        )
        self.assertIn("Proposed monthly fee $ 650.00", text)
        self.assertIn("12 Vitosha Blvd", text)
        for figure in INTERNAL_FIGURES:
            self.assertNotIn(figure, text)
        for word in ("Cost", "Margin"):
            self.assertNotIn(word, text)
