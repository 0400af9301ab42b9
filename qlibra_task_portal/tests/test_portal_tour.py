# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import QlibraPortalCommon


@tagged("post_install", "-at_install", "qlibra_sales")
class TestPortalTour(QlibraPortalCommon):
    """In Chromium: a client's portal user clicks Services on /my."""

    def test_services_tour(self):
        self.start_tour("/my", "qlibra_portal_services", login=self.portal_alpha.login)

    def test_services_tour_in_bulgarian(self):
        self.start_tour(
            "/my", "qlibra_portal_services_bg", login=self.portal_alpha_bg.login
        )
