# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.qlibra_task.tests.common import QlibraCase

DAY = date(2025, 3, 3)
START = date(2025, 1, 1)


@tagged("post_install", "-at_install")
class TestBillingDiffers(QlibraCase):
    """A timesheet line that qLibra's contract and Sales' billing count
    differently is flagged; one they agree on is not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Sold as Odoo's sale_timesheet tests do: a service invoiced on the
        # timesheets delivered, which creates a task in a new project.
        uom_hour = cls.env.ref("uom.product_uom_hour")
        cls.service = cls.env["product.product"].create(
            {
                "name": "Consulting Hours",
                "type": "service",
                "invoice_policy": "delivery",
                "service_type": "timesheet",
                "service_tracking": "task_in_project",
                "uom_id": uom_hour.id,
                "uom_po_id": uom_hour.id,
                "list_price": 90.0,
            }
        )

    @classmethod
    def _sold_task(cls, client):
        """The task a confirmed sales order creates: its time is billed on
        timesheets through the order line."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": client.id,
                "order_line": [
                    (0, 0, {"product_id": cls.service.id, "product_uom_qty": 10.0})
                ],
            }
        )
        order.action_confirm()
        task = order.order_line.task_id
        task.project_id.allow_timesheets = True
        return task

    def _stored_flags(self, lines):
        self.env.cr.execute(
            SQL(
                "SELECT id, qlibra_billing_differs FROM account_analytic_line "
                "WHERE id IN %s",
                tuple(lines.ids),
            )
        )
        return dict(self.env.cr.fetchall())

    def assertFlag(self, lines, expected):
        """The stored flag is `expected`, and equals a plain recomputation of
        the flag and of every input the ORM computes for it."""
        self.env.flush_all()
        stored = self._stored_flags(lines)
        self.assertEqual(stored, dict.fromkeys(lines.ids, expected))
        fields = self.Line._fields
        for fname in (
            "qlibra_contract_id",
            "qlibra_partner_id",
            "timesheet_invoice_type",
            "qlibra_billing_differs",
        ):
            self.env.add_to_compute(fields[fname], lines)
        self.env.flush_all()
        self.assertEqual(self._stored_flags(lines), stored)
        lines.invalidate_recordset(["qlibra_billing_differs"])
        self.assertEqual(
            self.Line.search(
                [("id", "in", lines.ids), ("qlibra_billing_differs", "=", True)]
            ),
            lines if expected else self.Line,
        )

    # --- disagreement -----------------------------------------------------
    def test_hourly_contract_on_time_sales_does_not_bill(self):
        client = self._client("Hourly, Not Sold")
        self._contract(client, "hourly", START, hourly_rate=80.0)
        line = self._log(self._task(self._project(client)), self.senior, DAY, 2.0)
        self.assertEqual(line.timesheet_invoice_type, "non_billable")
        self.assertEqual(line.qlibra_contract_type, "hourly")
        self.assertFlag(line, True)

    def test_non_billable_contract_on_time_sales_bills(self):
        client = self._client("Non-Billable, Sold")
        contract = self._contract(client, "non_billable", START)
        task = self._sold_task(client)
        line = self._log(task, self.senior, DAY, 2.0)
        self.assertEqual(line.so_line, task.sale_line_id)
        self.assertEqual(line.timesheet_invoice_type, "billable_time")
        self.assertEqual(line.qlibra_contract_id, contract)
        self.assertFlag(line, True)

    def test_no_contract_on_time_sales_bills(self):
        """Time no contract covers earns qLibra nothing: not billed."""
        line = self._log(
            self._sold_task(self._client("Sold, No Contract")), self.senior, DAY, 1.0
        )
        self.assertFalse(line.qlibra_contract_id)
        self.assertFlag(line, True)

    def test_project_billed_manually(self):
        """Sales' "Billed Manually" (a billable project without an order
        line) is billed."""
        client = self._client("Billed Manually")
        self._contract(client, "non_billable", START)
        project = self._project(client)
        project.write({"allow_billable": True, "billing_type": "manually"})
        line = self._log(self._task(project), self.senior, DAY, 1.0)
        self.assertEqual(line.timesheet_invoice_type, "billable_manual")
        self.assertFlag(line, True)

    def test_timesheet_revenues_count_as_billed(self):
        """A sold timesheet with a positive amount is Sales' "Timesheet
        Revenues": its hours are still delivered on the order line, billed."""
        client = self._client("Timesheet Revenues")
        self._contract(client, "non_billable", START)
        line = self._log(self._sold_task(client), self.senior, DAY, 1.0)
        line.amount = 50.0
        self.assertEqual(line.timesheet_invoice_type, "timesheet_revenues")
        self.assertFlag(line, True)

    # --- agreement --------------------------------------------------------
    def test_agreement_is_not_flagged(self):
        cases = {
            "hourly, sold": ("hourly", True),
            "subscription, sold": ("subscription", True),
            "fixed price, sold": ("fixed_price", True),
            "non-billable, not sold": ("non_billable", False),
            "no contract, not sold": (None, False),
        }
        for name, (contract_type, sold) in cases.items():
            with self.subTest(name):
                client = self._client(name)
                if contract_type:
                    self._contract(
                        client,
                        contract_type,
                        START,
                        hourly_rate=80.0,
                        monthly_fee=1000.0,
                        included_hours=20.0,
                    )
                task = (
                    self._sold_task(client)
                    if sold
                    else self._task(self._project(client))
                )
                line = self._log(task, self.senior, DAY, 3.0)
                self.assertEqual(
                    line.timesheet_invoice_type,
                    "billable_time" if sold else "non_billable",
                )
                self.assertFlag(line, False)

    def test_line_without_project_is_not_compared(self):
        client = self._client("Not A Timesheet")
        self._contract(client, "hourly", START, hourly_rate=80.0)
        project = self._project(client)
        line = self.Line.create(
            {
                "name": "Purchase",
                "account_id": project.account_id.id,
                "partner_id": client.id,
                "date": DAY,
                "amount": -100.0,
            }
        )
        self.assertEqual(line.timesheet_invoice_type, "other_costs")
        self.assertFlag(line, False)

    # --- the flag follows its inputs ----------------------------------------
    def test_flag_follows_contract_created_after_the_time(self):
        not_sold = self._client("Adopted, Not Sold")
        sold = self._client("Adopted, Sold")
        line_not_sold = self._log(
            self._task(self._project(not_sold)), self.senior, DAY, 2.0
        )
        line_sold = self._log(self._sold_task(sold), self.senior, DAY, 2.0)
        self.assertFlag(line_not_sold, False)
        self.assertFlag(line_sold, True)

        hourly = self._contract(not_sold, "hourly", START, hourly_rate=80.0)
        self._contract(
            sold, "subscription", START, monthly_fee=1000.0, included_hours=20.0
        )
        self.assertEqual(line_not_sold.qlibra_contract_id, hourly)
        self.assertFlag(line_not_sold, True)
        self.assertFlag(line_sold, False)

    def test_flag_follows_a_project_contract_set_later(self):
        client = self._client("Project Contract Later")
        project = self._project(client)
        line = self._log(self._task(project), self.senior, DAY, 2.0)
        self.assertFlag(line, False)
        contract = self._contract(client, "fixed_price", START)
        project.qlibra_contract_id = contract
        self.assertEqual(line.qlibra_contract_id, contract)
        self.assertFlag(line, True)

    def test_flag_follows_sales_billing(self):
        client = self._client("Sales Changes Its Mind")
        self._contract(client, "non_billable", START)
        line = self._log(self._sold_task(client), self.senior, DAY, 2.0)
        self.assertFlag(line, True)
        line.so_line = False
        self.assertEqual(line.timesheet_invoice_type, "non_billable")
        self.assertFlag(line, False)
