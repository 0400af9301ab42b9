# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import tagged

from .common import MARCH, QlibraReportsCommon

STATEMENT = "qlibra_task_reports.action_report_client_statement"
STATEMENT_XLSX = "qlibra_task_reports.action_report_client_statement_xlsx"
REVIEW_MODEL = "report.qlibra_task_reports.report_service_review"


@tagged("post_install", "-at_install")
class TestRolloverReports(QlibraReportsCommon):
    """Alpha's subscription (10 hours included) carries up to 4 unused hours
    for 2 months. January uses 5 (carries 4, usable in February and March),
    February 8 (carries 2); March uses 13.5: 3.5 above the included hours,
    drawn on January's 4 first, whose last 0.5 expires at the end of March.
    Nothing is overage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract_alpha.write({"rollover_max_hours": 4.0, "rollover_months": 2})
        task = cls.task[cls.alpha]
        cls._log(
            [
                (task, cls.employee_a, date(2025, 1, 10), 5.0, "January"),
                (task, cls.employee_a, date(2025, 2, 10), 8.0, "February"),
            ]
        )

    def test_statement_balance(self):
        statement = (
            self.env["report.qlibra_task_reports.report_client_statement"]
            .with_user(self.accountant)
            ._get_report_values(self.alpha.ids, MARCH)["statements"][self.alpha.id]
        )
        (section,) = statement["sections"]
        self.assertTrue(section["rollover"])
        (month,) = section["months"]
        self.assertEqual(month["used_hours"], 13.5)
        self.assertEqual(month["carried_in"], 6.0)
        self.assertEqual(month["used_carried"], 3.5)
        self.assertEqual(month["expired"], 0.5)
        self.assertEqual(month["carried_out"], 2.0)
        self.assertEqual(month["extra_hours"], 0.0)
        # The analysis bills no overage either: the statement agrees with it.
        self.assertEqual(month["overage_amount"], 0.0)
        self.assertEqual(
            [(t["currency"], t["amount"]) for t in statement["totals"]],
            [(self.currency, 200.0)],
        )

    def test_statement_pdf(self):
        text = self._render_pdf_text(
            STATEMENT, self.alpha, data=MARCH, user=self.accountant
        )
        self.assertIn("Unused hours roll over: up to 04:00 a month", text)
        # included, used, carried in, carried hours used, expired, carried
        # out, extra hours (the headers wrap over several lines)
        self.assertIn("10:00 13:30 06:00 03:30 00:30 02:00 00:00", text)

    def test_statement_xlsx(self):
        formulas, values = self._render_xlsx(
            STATEMENT_XLSX, self.alpha, data=MARCH, user=self.accountant
        )
        sheet, cached = formulas["Alpha Trade"], values["Alpha Trade"]
        extra = self._find_row(sheet, 1, "Extra hours")
        row = extra[0].row
        header = [c.value for c in self._find_row(sheet, 1, "Item")]
        self.assertEqual(
            header[3:10],
            [
                "Included Hours",
                "Hours",
                "Carried In",
                "Carried Hours Used",
                "Expired",
                "Carried Out",
                "Extra Hours",
            ],
        )
        self.assertEqual(extra[5].value, 6.0)
        self.assertEqual(extra[6].value, f"=MIN(F{row},MAX(0,E{row}-D{row}))")
        self.assertEqual(extra[7].value, 0.5)
        self.assertEqual(
            extra[8].value, f"=F{row}-G{row}-H{row}+MIN(4.0,MAX(0,D{row}-E{row}))"
        )
        self.assertEqual(extra[9].value, f"=MAX(0,E{row}-D{row}-F{row})")
        self.assertEqual(
            [cached.cell(row, col).value for col in range(6, 11)],
            [6.0, 3.5, 0.5, 2.0, 0.0],
        )

    def test_service_review_balance(self):
        review = (
            self.env[REVIEW_MODEL]
            .with_user(self.manager)
            ._get_report_values(
                self.contract_alpha.ids, {"months": 6, "reference_month": "2025-04-01"}
            )["reviews"][self.contract_alpha.id]
        )
        self.assertTrue(review["rollover"])
        months = {row["month"]: row for row in review["months"]}
        february, march = months[date(2025, 2, 1)], months[date(2025, 3, 1)]
        self.assertEqual(
            [february[k] for k in ("carried_in", "used_carried", "carried_out")],
            [4.0, 0.0, 6.0],
        )
        self.assertEqual(
            [march[k] for k in ("carried_in", "used_carried", "expired")],
            [6.0, 3.5, 0.5],
        )
        self.assertEqual(march["extra_hours"], 0.0)
        self.assertEqual(review["totals"]["expired"], 0.5)
