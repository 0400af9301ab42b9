# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import _, api, models
from odoo.tools import SQL

from odoo.addons.qlibra_task.models.groups import ACCOUNTANT_GROUP


class ClientStatementReport(models.AbstractModel):
    """Statement of the work done for a client in a period: the data the QWeb
    PDF and the XLSX both lay out. It never reads a cost, a margin or an
    hourly cost: the statement goes to the client."""

    _name = "report.qlibra_task_reports.report_client_statement"
    _inherit = "qlibra.report.period"
    _description = "Client Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        """``statements``: ``{partner_id: statement}`` of the clients, each in
        its client's language with ``sections`` (one per contract running
        in the period or carrying its time, then the time no contract
        covers; amounts in the section's currency), ``lines``, ``projects``
        (hours per project and task) and ``totals`` (what is billed, per
        currency: two currencies are never added)."""
        self._check_group(
            ACCOUNTANT_GROUP,
            _("Only accountants and managers can print client statements."),
        )
        date_from, date_to = self._get_period(data)
        partners = self._get_partners(docids, data)
        statements = {}
        if partners:
            statements = self._get_statements(partners, date_from, date_to)
        return self._partner_report_values(
            partners, date_from, date_to, statements=statements
        )

    @api.model
    def _qlibra_page_documents(self, docids, data=None):
        """The statements of a PDF, each numbered "Page X / Y" on its own:
        ``[(partner id, the client's language)]`` (see ir.actions.report)."""
        partners = self._get_partners(docids, data)
        return [(partner.id, partner.lang or self.env.lang) for partner in partners]

    @api.model
    def _get_statements(self, partners, date_from, date_to):
        company_ids = self.env.companies.ids
        lines = self._get_line_rows(partners, date_from, date_to, company_ids)
        # Archived contracts too: archiving ends a contract, its past stays.
        contracts = partners._qlibra_contracts_between(date_from, date_to)
        contracts = contracts.with_env(self.env)
        Task = self.env["project.task"]
        # A fixed price recognised in the period, even after its contract's
        # end, is billed in the period, as the analysis shows it.
        contracts |= (
            Task.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("qlibra_contract_id.partner_id", "in", partners.ids),
                    ("qlibra_contract_id.company_id", "in", company_ids),
                    *Task._qlibra_recognised_domain(date_from, date_to),
                ]
            )
            .qlibra_contract_id.with_env(self.env)
        )
        contracts |= (
            self.env["qlibra.contract"]
            .browse({row["contract_id"] for row in lines if row["contract_id"]})
            .filtered_domain([("company_id", "in", company_ids)])
        )
        contracts = contracts.sorted(lambda c: (c.date_start, c.id))
        figures = self._contract_month_figures(contracts, date_from, date_to)
        deliveries = self._get_deliveries(contracts, date_from, date_to)
        lines_by_partner = defaultdict(list)
        for row in lines:
            lines_by_partner[row["partner_id"]].append(row)
        return {
            partner.id: self.with_context(
                lang=partner.lang or self.env.lang
            )._get_statement(
                partner,
                date_from,
                date_to,
                lines_by_partner[partner.id],
                contracts.filtered(lambda c, p=partner: c.partner_id == p),
                figures,
                deliveries,
            )
            for partner in partners
        }

    @api.model
    def _get_deliveries(self, contracts, date_from, date_to):
        """Fixed-price tasks done in the period, per contract id."""
        fixed = contracts.filtered(lambda c: c._qlibra_rule().fixed_price)
        deliveries = defaultdict(list)
        if not fixed:
            return deliveries
        Task = self.env["project.task"]
        tasks = Task.sudo().search(
            [
                ("qlibra_contract_id", "in", fixed.ids),
                *Task._qlibra_recognised_domain(date_from, date_to),
            ],
            order="qlibra_date_done, id",
        )
        for task in tasks:
            deliveries[task.qlibra_contract_id.id].append(
                {
                    "task": task.name,
                    "project": task.project_id.name,
                    "date_done": task.qlibra_date_done,
                    "price": task.qlibra_fixed_price,
                }
            )
        return deliveries

    @api.model
    def _get_line_rows(self, partners, date_from, date_to, company_ids):
        """The timesheet lines of the clients in the period, as plain rows:
        one query, as a statement can list a hundred thousand lines."""
        self.env["account.analytic.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT aal.qlibra_partner_id AS partner_id,
                          aal.qlibra_contract_id AS contract_id,
                          aal.date, aal.name, aal.unit_amount AS hours,
                          COALESCE(aal.qlibra_is_change_request, FALSE)
                              AS is_change_request,
                          COALESCE(employee.name, user_partner.name, '')
                              AS employee,
                          project.name AS project_names,
                          COALESCE(task.name, '') AS task,
                          COALESCE(contract.name, '') AS contract
                     FROM account_analytic_line aal
                     JOIN project_project project ON project.id = aal.project_id
                LEFT JOIN project_task task ON task.id = aal.task_id
                LEFT JOIN hr_employee employee ON employee.id = aal.employee_id
                LEFT JOIN res_users usr ON usr.id = aal.user_id
                LEFT JOIN res_partner user_partner ON user_partner.id = usr.partner_id
                LEFT JOIN qlibra_contract contract
                       ON contract.id = aal.qlibra_contract_id
                    WHERE aal.qlibra_partner_id = ANY(%(partners)s)
                      AND aal.date BETWEEN %(date_from)s AND %(date_to)s
                      AND aal.company_id = ANY(%(companies)s)
                 ORDER BY aal.date, aal.id""",
                partners=partners.ids,
                date_from=date_from,
                date_to=date_to,
                companies=company_ids,
            )
        )
        return self.env.cr.dictfetchall()

    @api.model
    def _line_values(self, row):
        """A line of the statement (PDF and XLSX), in the context's language."""
        names = row["project_names"] or {}
        return {
            "date": row["date"],
            "employee": row["employee"],
            "project": names.get(self.env.lang) or names.get("en_US") or "",
            "task": row["task"],
            "description": row["name"] if row["name"] and row["name"] != "/" else "",
            "hours": row["hours"],
            "is_change_request": row["is_change_request"],
            "change_request_hours": row["hours"] if row["is_change_request"] else 0.0,
            "contract": row["contract"],
        }

    @api.model
    def _hours(self, lines):
        return {
            "hours": sum(line["hours"] for line in lines),
            "change_request_hours": sum(line["change_request_hours"] for line in lines),
        }

    @api.model
    def _get_statement(
        self, partner, date_from, date_to, rows, contracts, figures, deliveries
    ):
        lines = [self._line_values(row) for row in rows]
        lines_by_contract = defaultdict(list)
        for row, values in zip(rows, lines, strict=True):
            lines_by_contract[row["contract_id"]].append(values)
        months = self._months(date_from, date_to)
        sections = [
            self._section(
                contract,
                lines_by_contract.pop(contract.id, []),
                [m for m in months if contract._month_fraction(m)],
                figures,
                deliveries.get(contract.id, []),
            )
            for contract in contracts
        ]
        uncovered = sorted(
            (v for values in lines_by_contract.values() for v in values),
            key=lambda v: v["date"],
        )
        if uncovered:
            sections.append(
                self._section(self.env["qlibra.contract"], uncovered, [], {}, [])
            )
        totals = self._totals(sections)
        return {
            "partner": partner,
            "lang": partner.lang or self.env.lang,
            "currency": totals[0]["currency"]
            if len(totals) == 1
            else self.env.company.currency_id,
            "totals": totals,
            "date_from": date_from,
            "date_to": date_to,
            "sections": sections,
            "lines": lines,
            "projects": self._projects(lines),
            **self._hours(lines),
            "change_request_count": len([v for v in lines if v["is_change_request"]]),
            "is_empty": not lines and not any(t["amount"] for t in totals),
        }

    @api.model
    def _totals(self, sections):
        """[{"currency", "amount"}], the company's currency first (alone, at
        0, when nothing is billed)."""
        company_currency = self.env.company.currency_id
        amounts = defaultdict(float)
        for section in sections:
            if section["amount"] or section["currency"] == company_currency:
                amounts[section["currency"]] += section["amount"]
        if not amounts:
            amounts[company_currency] = 0.0
        return [
            {"currency": currency, "amount": amounts[currency]}
            for currency in sorted(
                amounts, key=lambda c: (c != company_currency, c.name)
            )
        ]

    @api.model
    def _section(self, contract, lines, months, figures, deliveries):
        """A contract's section (with no contract: the time none covers)."""
        rule = contract._qlibra_rule()
        section = {
            "contract": contract or False,
            "currency": contract.currency_id or self.env.company.currency_id,
            "name": contract.name or _("Time not covered by a contract"),
            "contract_type": contract.contract_type or "none",
            # in the client's language, as self's context has it
            "contract_type_label": contract.with_env(self.env)._qlibra_type_label()
            if contract
            else _("No Contract"),
            "date_start": contract.date_start,
            "date_end": contract.date_end,
            "monthly_fee": contract.monthly_fee,
            "included_hours": contract.included_hours,
            "overage_rate": contract.overage_rate,
            "hourly_rate": contract.hourly_rate,
            "lines": lines,
            **self._hours(lines),
            "months": [],
            "rollover": False,
            "deliveries": [],
            "amount": 0.0,
        }
        if rule.monthly_fee:
            section["rollover"] = contract.rollover_max_hours > 0
            balances = contract._qlibra_rollover_balances(months)
            section["months"] = [
                self._subscription_month(contract, month, figures, balances)
                for month in months
            ]
            section["amount"] = sum(
                m["fee"] + m["overage_amount"] for m in section["months"]
            )
        elif rule.hourly:
            section["amount"] = sum(
                figures.get((contract.id, month), {}).get("time", 0.0)
                for month in months
            )
        elif rule.fixed_price:
            section["deliveries"] = deliveries
            section["amount"] = sum(d["price"] for d in deliveries)
        return section

    @api.model
    def _projects(self, lines):
        projects = {}
        for line in lines:
            project_lines, tasks = projects.setdefault(line["project"], ([], {}))
            project_lines.append(line)
            tasks.setdefault(line["task"], []).append(line)
        return [
            {
                "project": project,
                **self._hours(project_lines),
                "tasks": [
                    {"task": task, **self._hours(task_lines)}
                    for task, task_lines in tasks.items()
                ],
            }
            for project, (project_lines, tasks) in projects.items()
        ]
