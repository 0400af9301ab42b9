# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import QlibraPortalCommon


@tagged("post_install", "-at_install")
class TestPortalAccess(QlibraPortalCommon):
    """A portal user reaches its own company's contracts only."""

    def test_record_rules_per_client_and_company(self):
        Contract = self.env["qlibra.contract"]
        for user, own in (
            (self.portal_alpha, self.contract_alpha),
            (self.portal_beta, self.contract_beta),
            (self.portal_gamma, self.contract_gamma),
        ):
            with self.subTest(user=user.login):
                self.assertEqual(Contract.with_user(user).search([]), own)
                others = (
                    self.contract_alpha | self.contract_beta | self.contract_gamma
                ) - own
                for other in others:
                    with self.assertRaises(AccessError):
                        other.with_user(user).read(["name"])
                with self.assertRaises(AccessError):
                    own.with_user(user).write({"name": "Mine now"})
                with self.assertRaises(AccessError):
                    Contract.with_user(user).create(
                        {
                            "partner_id": user.commercial_partner_id.id,
                            "contract_type": "hourly",
                            "date_start": self.month,
                        }
                    )

    def test_own_contract_page(self):
        response = self._get(
            self.portal_alpha, f"/my/services/{self.contract_alpha.id}"
        )
        self.assertIn("Alpha Support", response.text)

    def test_other_clients_contract_ids_refused(self):
        for user, other in (
            (self.portal_alpha, self.contract_beta),
            (self.portal_alpha, self.contract_gamma),
            (self.portal_beta, self.contract_alpha),
            (self.portal_gamma, self.contract_alpha),
        ):
            with self.subTest(user=user.login, contract=other.name):
                response = self._get(user, f"/my/services/{other.id}", status=404)
                self.assertNotIn(other.name, response.text)
        # An id that does not exist is no different.
        self._get(self.portal_alpha, "/my/services/999999", status=404)

    def test_list_shows_own_contracts_only(self):
        for user, own, others in (
            (self.portal_alpha, "Alpha Support", ("Beta Advice", "Gamma Care")),
            (self.portal_beta, "Beta Advice", ("Alpha Support", "Gamma Care")),
            (self.portal_gamma, "Gamma Care", ("Alpha Support", "Beta Advice")),
        ):
            with self.subTest(user=user.login):
                text = self._get(user, "/my/services").text
                self.assertIn(own, text)
                for name in others:
                    self.assertNotIn(name, text)

    def test_statement_of_another_client_refused(self):
        month = f"{self.last_month:%Y-%m}"
        for user, other in (
            (self.portal_alpha, self.beta),
            (self.portal_beta, self.alpha),
            (self.portal_gamma, self.alpha),
            (self.portal_alpha, self.gamma),
        ):
            with self.subTest(user=user.login, client=other.name):
                response = self._get(
                    user, f"/my/services/statement/{other.id}/{month}", status=404
                )
                self.assertNotIn(
                    response.headers.get("Content-Type"), ["application/pdf"]
                )
        # Its own, but a month the page does not offer: refused too.
        self._get(
            self.portal_alpha,
            f"/my/services/statement/{self.alpha.id}/{self.month:%Y-%m}",
            status=404,
        )
        self._get(
            self.portal_alpha,
            f"/my/services/statement/{self.alpha.id}/not-a-month",
            status=404,
        )

    def test_counter(self):
        self.authenticate(self.portal_alpha.login, self.portal_alpha.login)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["qlibra_service_count"]}
        )
        self.assertEqual(counters, {"qlibra_service_count": 1})
        self.assertNoCost(str(counters))
        home = self._get(self.portal_alpha, "/my").text
        self.assertIn('href="/my/services"', home)
        self.assertIn('data-placeholder_count="qlibra_service_count"', home)

    def test_portal_visible_off_hides_the_contract(self):
        self.contract_alpha.portal_visible = False
        self.assertFalse(
            self.env["qlibra.contract"].with_user(self.portal_alpha).search([])
        )
        text = self._get(self.portal_alpha, "/my/services").text
        self.assertNotIn("Alpha Support", text)
        self.assertNotIn("/my/services/statement/", text)
        self._get(
            self.portal_alpha, f"/my/services/{self.contract_alpha.id}", status=404
        )
        self._get(
            self.portal_alpha,
            f"/my/services/statement/{self.alpha.id}/{self.last_month:%Y-%m}",
            status=404,
        )
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["qlibra_service_count"]}
        )
        self.assertEqual(counters, {"qlibra_service_count": 0})
        # Switched on again, it is back.
        self.contract_alpha.portal_visible = True
        self.assertIn(
            "Alpha Support", self._get(self.portal_alpha, "/my/services").text
        )

    def test_only_managers_see_the_switch(self):
        form = self.env["qlibra.contract"].get_view(view_type="form")["arch"]
        self.assertIn('name="portal_visible"', form)
        arch = (
            self.env["qlibra.contract"]
            .with_user(self.accountant)
            .get_view(view_type="form")["arch"]
        )
        self.assertNotIn('name="portal_visible"', arch)
