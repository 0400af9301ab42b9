# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo.tests import tagged

from .common import QlibraPortalCommon


@tagged("post_install", "-at_install")
class TestPortalPage(QlibraPortalCommon):
    """What /my/services shows, and what no portal page shows."""

    def _text(self, html):
        return " ".join(re.sub(r"<[^>]+>", " ", html).split())

    def test_hours_against_included_hours(self):
        html = self._get(self.portal_alpha, "/my/services").text
        text = self._text(html)
        self.assertIn("Alpha Support", text)
        self.assertIn("Subscription", text)
        self.assertIn("12:00 / 40:00", text)
        self.assertIn("30 %", text)
        self.assertIn("width: 30%", html)
        # The change request of the month: its task and hours, not the rest.
        self.assertIn("Alpha Extra Report 04:00", text)
        self.assertNotIn("Alpha Bookkeeping", text)

    def test_carried_hours_beside_included_hours(self):
        # Last month used 10 of its 40 hours: 10 of the unused carry over
        # for one month (SPEC, Retainers).
        self.contract_alpha.write({"rollover_max_hours": 10.0, "rollover_months": 1})
        text = self._text(self._get(self.portal_alpha, "/my/services").text)
        self.assertIn("12:00 / 40:00 + 10:00 carried", text)
        self.contract_alpha.write({"rollover_max_hours": 0.0})
        text = self._text(self._get(self.portal_alpha, "/my/services").text)
        self.assertNotIn("carried", text)

    def test_hourly_contract_has_no_included_hours(self):
        text = self._text(self._get(self.portal_beta, "/my/services").text)
        self.assertIn("Beta Advice", text)
        self.assertIn("Hourly", text)
        self.assertIn("06:00", text)
        self.assertNotIn("06:00 /", text)
        self.assertIn("No change requests this month.", text)

    def test_second_company_figures(self):
        text = self._text(self._get(self.portal_gamma, "/my/services").text)
        self.assertIn("03:00 / 10:00", text)

    def test_statement_links_of_past_months(self):
        html = self._get(self.portal_alpha, "/my/services").text
        links = re.findall(r'href="(/my/services/statement/[^"]+)"', html)
        # The contract started three months ago: three full months since.
        self.assertEqual(len(links), 3)
        self.assertEqual(
            links[0], f"/my/services/statement/{self.alpha.id}/{self.last_month:%Y-%m}"
        )

    def test_links_to_odoo_portal_pages(self):
        html = self._get(self.portal_alpha, "/my/services").text
        self.assertIn('href="/my/timesheets"', html)
        self.assertIn('href="/my/projects"', html)

    def test_no_cost_margin_or_rate_anywhere(self):
        for url in (
            "/my",
            "/my/services",
            f"/my/services/{self.contract_alpha.id}",
        ):
            with self.subTest(url=url):
                html = self._get(self.portal_alpha, url).text
                self.assertNoCost(html)
                # Neither the fee, the extra hour's rate nor the target.
                self.assertNotIn("900.00", self._text(html))
                self.assertNotIn("75.00", self._text(html))
                self.assertNotIn("35.00", self._text(html))
        self.authenticate(self.portal_alpha.login, self.portal_alpha.login)
        counters = self.make_jsonrpc_request(
            "/my/counters",
            {"counters": ["qlibra_service_count", "timesheet_count", "project_count"]},
        )
        self.assertNoCost(str(counters))

    def test_odoo_timesheets_page_shows_no_cost(self):
        line = self.lines[0]
        self.assertAlmostEqual(line.sudo().qlibra_cost, 330.96)
        html = self._get(self.portal_alpha, "/my/timesheets").text
        # The page lists the client's time (so the check below means
        # something) ...
        self.assertIn("Books", html)
        self.assertIn("Alpha Project", html)
        self.assertNotIn("Tax advice", html)
        # ... but no cost or revenue of a line.
        self.assertNoCost(html)
        self.assertNotIn(f"{abs(line.sudo().amount):.2f}", html)
        self.assertNotIn("qlibra_revenue", html)
        self.assertNotIn("qlibra_cost", html)

    def test_page_in_bulgarian(self):
        text = self._text(self._get(self.portal_alpha_bg, "/my/services").text)
        self.assertIn("12:00 / 40:00", text)
        self.assertIn("Услуги", text)
        self.assertIn("Абонамент", text)
        self.assertNotIn("Change requests this month", text)
