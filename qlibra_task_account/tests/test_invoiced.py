# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import QlibraAccountCommon

MEASURES = ("revenue:sum", "invoiced:sum", "to_invoice:sum", "realization_percent:avg")


@tagged("post_install", "-at_install")
class TestInvoiced(QlibraAccountCommon):
    """Invoiced revenue, earned - invoiced and realization % in the analysis."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["qlibra.profitability.report"]
        cls.clients = cls.alpha | cls.beta | cls.gamma | cls.delta
        cls.march = [
            ("partner_id", "in", cls.clients.ids),
            ("date", "=", date(2025, 3, 1)),
        ]

    def _by_partner(self, domain, measures=MEASURES, user=None):
        Report = self.Report.with_user(user) if user else self.Report
        rows = Report._read_group(domain, ["partner_id"], list(measures))
        return {partner: tuple(values) for partner, *values in rows}

    def test_march_per_client(self):
        figures = self._by_partner(self.march)
        revenue, invoiced, to_invoice, realization = figures[self.alpha]
        self.assertAlmostEqual(revenue, 480.0)
        # 400 to its contact - 50 credit note; the draft and April do not count.
        self.assertAlmostEqual(invoiced, 350.0)
        self.assertAlmostEqual(to_invoice, 130.0)
        self.assertAlmostEqual(realization, 350.0 / 480.0 * 100)
        revenue, invoiced, to_invoice, realization = figures[self.beta]
        # 1600 EUR at 2 EUR per company currency unit, untaxed.
        self.assertAlmostEqual(invoiced, 800.0)
        self.assertAlmostEqual(to_invoice, -111.25)
        self.assertAlmostEqual(realization, 800.0 / 688.75 * 100)
        # The vendor bill is no customer invoice.
        self.assertEqual(figures[self.gamma][1:], (0.0, 2500.0, 0.0))
        # Invoiced without revenue: realization empty, not 0 nor infinite.
        self.assertEqual(figures[self.delta][:3], (0.0, 100.0, -100.0))
        self.assertIs(figures[self.delta][3], False)

    def test_totals_from_cell_sums(self):
        [(revenue, invoiced, to_invoice, realization)] = self.Report._read_group(
            self.march, [], list(MEASURES)
        )
        self.assertAlmostEqual(revenue, 3668.75)
        self.assertAlmostEqual(invoiced, 1250.0)
        self.assertAlmostEqual(to_invoice, 2418.75)
        self.assertAlmostEqual(realization, 1250.0 / 3668.75 * 100)
        # Over a quarter, Alpha's realization is that of the quarter's sums
        # (550 / 880), not the average of its months (0, 100 and 72.9).
        quarter = [
            ("partner_id", "=", self.alpha.id),
            ("date", ">=", date(2025, 1, 1)),
            ("date", "<=", date(2025, 3, 1)),
        ]
        [(revenue, invoiced, to_invoice, realization)] = self.Report._read_group(
            quarter, [], list(MEASURES)
        )
        self.assertEqual((revenue, invoiced, to_invoice), (880.0, 550.0, 330.0))
        self.assertAlmostEqual(realization, 62.5)
        months = self.Report._read_group(quarter, ["date:month"], list(MEASURES))
        self.assertEqual(
            [(month.month, realization) for month, *__, realization in months],
            [(1, 0.0), (2, 100.0), (3, 350.0 / 480.0 * 100)],
        )

    def test_public_read_group(self):
        """The pivot's read_group asks realization_percent:avg too."""
        [alpha] = self.Report.read_group(
            [*self.march, ("partner_id", "=", self.alpha.id)],
            ["revenue:sum", "invoiced:sum", "realization_percent:avg"],
            ["partner_id"],
        )
        self.assertAlmostEqual(alpha["realization_percent"], 350.0 / 480.0 * 100)

    def test_to_invoice_sums_over_any_grouping(self):
        domain = [("partner_id", "in", self.clients.ids)]
        [(revenue, invoiced, to_invoice)] = self.Report._read_group(
            domain, [], ["revenue:sum", "invoiced:sum", "to_invoice:sum"]
        )
        self.assertAlmostEqual(to_invoice, revenue - invoiced)
        for groupby in ("row_type", "contract_id", "move_id", "task_id"):
            rows = self.Report._read_group(
                domain, [groupby], ["revenue:sum", "invoiced:sum", "to_invoice:sum"]
            )
            for __, revenue, invoiced, to_invoice in rows:
                self.assertAlmostEqual(to_invoice, revenue - invoiced)

    def test_invoice_rows(self):
        rows = self.Report.search(
            [("partner_id", "in", self.clients.ids), ("row_type", "=", "invoice")]
        )
        self.assertEqual(
            rows.move_id,
            self.invoice_alpha_feb
            | self.invoice_alpha
            | self.refund_alpha
            | self.invoice_alpha_apr
            | self.invoice_beta
            | self.invoice_delta,
        )
        refund = rows.filtered(lambda row: row.move_id == self.refund_alpha)
        self.assertEqual(refund.date, date(2025, 3, 1))
        self.assertEqual(refund.partner_id, self.alpha)
        self.assertEqual(refund.company_id, self.company)
        self.assertEqual(refund.currency_id, self.currency)
        self.assertEqual((refund.invoiced, refund.to_invoice), (-50.0, 50.0))
        self.assertEqual((refund.hours, refund.cost, refund.revenue), (0, 0, 0))
        self.assertFalse(refund.contract_id)
        # Contracts keep their rules: invoicing changes no revenue or margin.
        [(revenue, margin)] = self.Report._read_group(
            self.march, [], ["revenue:sum", "margin:sum"]
        )
        self.assertAlmostEqual(revenue, 3668.75)
        self.assertAlmostEqual(margin, 3668.75 - 1661.25)

    def test_ids_unique(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM qlibra_profitability_report"
                " GROUP BY id HAVING count(*) > 1"
            )
        )
        self.assertFalse(self.env.cr.fetchall())

    def test_pending_writes_reach_the_view(self):
        """_depends flushes the invoices before the view is read."""
        invoice = self._invoice(self.gamma, date(2025, 3, 12), 1000.0)
        self.assertAlmostEqual(self._by_partner(self.march)[self.gamma][1], 1000.0)
        invoice.button_draft()
        self.assertAlmostEqual(self._by_partner(self.march)[self.gamma][1], 0.0)
        invoice.button_cancel()
        self.assertAlmostEqual(self._by_partner(self.march)[self.gamma][1], 0.0)

    def test_access(self):
        figures = self._by_partner(self.march, user=self.accountant)
        self.assertAlmostEqual(figures[self.alpha][1], 350.0)
        for fname in ("invoiced", "to_invoice", "realization_percent"):
            self.assertEqual(
                self.Report._fields[fname].groups,
                "qlibra_task.group_qlibra_accountant",
            )
        employee = new_test_user(
            self.env,
            login="qlibra_acc_employee",
            groups="base.group_user,hr_timesheet.group_hr_timesheet_user",
        )
        with self.assertRaises(AccessError):
            self._by_partner(self.march, user=employee)

    def test_other_company_invoices_hidden(self):
        """The view's multi-company rule covers the invoice rows."""
        other = self.env["res.company"].create({"name": "Other Firm"})
        self.env.cr.execute(
            SQL(
                "UPDATE account_move SET company_id = %s WHERE id = %s",
                other.id,
                self.invoice_delta.id,
            )
        )
        self.invoice_delta.invalidate_recordset()
        self.accountant.company_ids |= other
        Report = self.Report.with_user(self.accountant)
        domain = [*self.march, ("partner_id", "=", self.delta.id)]
        rows = Report.with_context(allowed_company_ids=self.company.ids)._read_group(
            domain, ["company_id"], ["invoiced:sum"]
        )
        self.assertNotIn(other, [company for company, __ in rows])
        rows = Report.with_context(
            allowed_company_ids=[self.company.id, other.id]
        )._read_group(domain, ["company_id"], ["invoiced:sum"])
        self.assertIn((other, 100.0), rows)

    def test_views_for_accountant(self):
        """The analysis and the earned vs invoiced views load for an
        accountant, with the new measures and filters."""
        action = self.env.ref(
            "qlibra_task_account.qlibra_profitability_report_action_invoicing"
        )
        views = [(view.view_id.id, view.view_mode) for view in action.view_ids]
        result = self.Report.with_user(self.accountant).get_views(
            [*views, (action.search_view_id.id, "search")]
        )
        pivot = result["views"]["pivot"]["arch"]
        for name in ("revenue", "invoiced", "to_invoice", "realization_percent"):
            self.assertIn(f'name="{name}"', pivot)
        self.assertIn('name="to_invoice"', result["views"]["graph"]["arch"])
        self.assertIn('name="invoiced"', result["views"]["list"]["arch"])
        search = result["views"]["search"]["arch"]
        self.assertIn('name="invoices"', search)
        self.assertIn('name="earned_or_invoiced"', search)
        # The default filter keeps the totals and leaves out time without revenue.
        domain = [
            *self.march,
            "|",
            ("revenue", "!=", 0),
            ("row_type", "=", "invoice"),
        ]
        self.assertEqual(
            self._by_partner(domain, user=self.accountant),
            self._by_partner(self.march, user=self.accountant),
        )
