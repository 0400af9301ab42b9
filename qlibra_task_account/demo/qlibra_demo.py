# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import Command, api, models

from odoo.addons.qlibra_task.models.qlibra_today import today as qlibra_today

DEMO_CLIENTS = ("rila", "vitosha", "pirin", "struma")
DISPUTED = "Two disputed hours of advice"
ADVANCE = "Tax audit support: advance of 50%"


class QlibraDemo(models.AbstractModel):
    _inherit = "qlibra.demo"

    @api.model
    def _create_invoices(self):
        """Posted invoices of what each demo client earned a month, on its
        last day; Pirin's last two months not yet (behind its work, with a
        credit note), Vitosha's advance on a job not done (ahead). Nothing
        without a sales journal."""
        if self.env.ref("qlibra_task_account.demo_invoice_1", raise_if_not_found=False):
            return
        partners = {
            key: self.env.ref(f"qlibra_task.demo_partner_{key}", False)
            for key in DEMO_CLIENTS
        }
        Journal = self.env["account.journal"]
        domain = Journal._check_company_domain(self.env.company)
        journal = Journal.search([*domain, ("type", "=", "sale")], limit=1)
        if not all(partners.values()) or not journal.default_account_id:
            return
        today = qlibra_today(self)
        first_of_month = today.replace(day=1)
        earned = self.env["qlibra.profitability.report"]._read_group(
            [
                ("partner_id", "in", [partner.id for partner in partners.values()]),
                ("row_type", "!=", "invoice"),
                ("date", "<=", first_of_month),
            ],
            ["partner_id", "date:month"],
            ["revenue:sum"],
            order="date:month, partner_id",
        )
        months_ago = [first_of_month - relativedelta(months=n) for n in range(4)]
        not_yet_invoiced = {(partners["pirin"], months_ago[n]) for n in (1, 2)}
        plan = [
            ("out_invoice", partner, month, revenue, "Services")
            for partner, month, revenue in earned
            if revenue > 0 and (partner, month) not in not_yet_invoiced
        ]
        plan += [
            ("out_refund", partners["pirin"], months_ago[3], 180.0, DISPUTED),
            ("out_invoice", partners["vitosha"], months_ago[1], 1250.0, ADVANCE),
        ]
        taxes = [Command.set(self.env.company.account_sale_tax_id.ids)]
        moves = []
        for move_type, partner, month, amount, label in plan:
            line = {"name": label, "quantity": 1.0, "price_unit": round(amount, 2)}
            moves.append(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "journal_id": journal.id,
                    "invoice_date": min(month + relativedelta(day=31), today),
                    "invoice_line_ids": [Command.create({**line, "tax_ids": taxes})],
                }
            )
        moves = self.env["account.move"].create(moves)
        moves.action_post()
        self._set_xmlids("qlibra_task_account.demo_invoice", moves)
