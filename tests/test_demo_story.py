"""The demo data tells the product's story: a manager sees at once which
clients lose money and why, with nothing to configure."""

from datetime import date

from dateutil.relativedelta import relativedelta

from odoo.tests import TransactionCase, tagged


@tagged("standard", "post_install", "-at_install")
class TestDemoStory(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.rila = ref("qlibra_task.demo_partner_rila")
        cls.vitosha = ref("qlibra_task.demo_partner_vitosha")
        cls.pirin = ref("qlibra_task.demo_partner_pirin")
        cls.struma = ref("qlibra_task.demo_partner_struma")
        cls.dental = ref("qlibra_task.demo_partner_dental")
        cls.office = ref("base.main_partner")
        cls.clients = (
            cls.rila | cls.vitosha | cls.pirin | cls.struma | cls.dental | cls.office
        )

    def test_clients_to_renegotiate(self):
        flagged = self.env["res.partner"].search([("qlibra_to_renegotiate", "=", True)])
        self.assertEqual(flagged & self.clients, self.rila | self.vitosha)
        # The subscription costs more than its fee: the suggested fee says by
        # how much to raise it.
        self.assertLess(self.rila.qlibra_trailing_margin_percent, 0)
        self.assertGreater(self.rila.qlibra_suggested_fee, self.rila.qlibra_current_fee)
        self.assertEqual(self.rila.qlibra_suggested_fee % 10, 0)

    def test_clients_losing_money(self):
        losing = self.env["res.partner"].search([("qlibra_losing_money", "=", True)])
        # Non-billable internal work is meant to cost; uncovered time is not.
        self.assertEqual(losing & self.clients, self.rila | self.vitosha | self.dental)

    def test_change_requests_ate_the_fixed_price(self):
        annual = self.env.ref("qlibra_task.demo_task_vitosha_annual")
        self.assertEqual(annual.qlibra_contract_type, "fixed_price")
        self.assertGreater(annual.qlibra_cost, annual.qlibra_fixed_price)
        self.assertGreater(annual.qlibra_change_request_hours, 0)
        self.assertLess(annual.qlibra_margin, 0)

    def test_analysis_shows_every_client_and_uncovered_time(self):
        Report = self.env["qlibra.profitability.report"]
        this_month = date.today().replace(day=1)
        rows = Report._read_group(
            [
                ("partner_id", "in", self.clients.ids),
                ("date", ">=", this_month - relativedelta(months=6)),
                ("date", "<", this_month),
            ],
            ["partner_id", "contract_type"],
            ["hours:sum", "margin:sum"],
        )
        seen = self.env["res.partner"].union(*(row[0] for row in rows))
        self.assertEqual(seen, self.clients)
        dental = [row for row in rows if row[0] == self.dental]
        self.assertEqual([row[1] for row in dental], ["none"])
        # Over the six months of demo time, Pirin (hourly) and Struma
        # (subscription with overage) are healthy, Rila is not.
        margins = {}
        for partner, _type, _hours, margin in rows:
            margins[partner] = margins.get(partner, 0.0) + margin
        self.assertGreater(margins[self.pirin], 0)
        self.assertGreater(margins[self.struma], 0)
        self.assertLess(margins[self.rila], 0)
