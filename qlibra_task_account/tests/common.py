# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo import Command

from odoo.addons.qlibra_task_reports.tests.common import QlibraReportsCommon


class QlibraAccountCommon(QlibraReportsCommon):
    """qlibra_task_reports' four clients of March 2025, with their invoices.

    Earned in March (the contracts' rules): Alpha 480 (January and February
    200 each), Beta 688.75, Gamma 2500, Delta 0. Taxes of 20% on every
    invoice, never counted. Invoiced:

    - Alpha: 200 on 2025-02-28; in March an invoice of 400 to its contact
      (counts for Alpha, the commercial partner) and a credit note of 50:
      350, so 130 to invoice, realization 350 / 480; a draft of 999 and an
      invoice of 480 in April do not count in March;
    - Beta: 1600 EUR at 2 EUR per company currency unit = 800: invoiced
      ahead by 111.25;
    - Gamma: nothing (a vendor bill of 300 is no customer invoice): 2500 to
      invoice, realization 0;
    - Delta: 100 without any revenue: realization empty.

    March in total: earned 3668.75, invoiced 1250, to invoice 2418.75.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        if not company.chart_template:
            cls.env["account.chart.template"].try_loading(
                "generic_coa", company=company, install_demo=False
            )
        cls.journal = cls.env["account.journal"].search(
            [
                *cls.env["account.journal"]._check_company_domain(company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )
        cls.tax = cls.env["account.tax"].create(
            {
                "name": "VAT 20% (qLibra test)",
                "amount": 20.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )
        cls.foreign = (
            cls.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", "EUR" if cls.currency.name != "EUR" else "USD")])
        )
        cls.foreign.rate_ids.unlink()
        cls.foreign.write(
            {
                "active": True,
                "rate_ids": [
                    Command.create(
                        {
                            "name": date(2025, 1, 1),
                            "rate": 2.0,
                            "company_id": company.id,
                        }
                    )
                ],
            }
        )
        cls.alpha_contact = cls.env["res.partner"].create(
            {"name": "Alpha Buyer", "parent_id": cls.alpha.id}
        )
        cls.invoice_alpha_feb = cls._invoice(cls.alpha, date(2025, 2, 28), 200.0)
        cls.invoice_alpha = cls._invoice(cls.alpha_contact, date(2025, 3, 5), 400.0)
        cls.refund_alpha = cls._invoice(
            cls.alpha, date(2025, 3, 20), 50.0, move_type="out_refund"
        )
        cls.draft_alpha = cls._invoice(cls.alpha, date(2025, 3, 25), 999.0, post=False)
        cls.invoice_alpha_apr = cls._invoice(cls.alpha, date(2025, 4, 2), 480.0)
        cls.invoice_beta = cls._invoice(
            cls.beta, date(2025, 3, 10), 1600.0, currency=cls.foreign
        )
        cls.bill_gamma = cls._invoice(
            cls.gamma, date(2025, 3, 15), 300.0, move_type="in_invoice"
        )
        cls.invoice_delta = cls._invoice(cls.delta, date(2025, 3, 31), 100.0)

    @classmethod
    def _invoice(
        cls, partner, day, amount, move_type="out_invoice", currency=None, post=True
    ):
        vals = {
            "move_type": move_type,
            "partner_id": partner.id,
            "invoice_date": day,
            "currency_id": (currency or cls.currency).id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Services",
                        "quantity": 2.0,
                        "price_unit": amount / 2,
                        "tax_ids": [Command.set(cls.tax.ids)]
                        if move_type.startswith("out_")
                        else [],
                    }
                )
            ],
        }
        if move_type.startswith("out_"):
            vals["journal_id"] = cls.journal.id
        move = cls.env["account.move"].create(vals)
        if post:
            move.action_post()
        return move
