# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from operator import itemgetter

from odoo import _, api, models
from odoo.tools import SQL, groupby

from odoo.addons.qlibra_task.models.groups import ACCOUNTANT_GROUP

CONTRACT_TERMS = ("date_start", "date_end", "monthly_fee", "included_hours")
CONTRACT_TERMS += ("overage_rate", "hourly_rate")
HOURS = ("hours", "change_request_hours")


class ClientStatementReport(models.AbstractModel):
    """Work done for clients; never a cost or a margin (it goes to them)."""

    _name = "report.qlibra_task_reports.report_client_statement"
    _inherit = "qlibra.report.period"
    _description = "Client Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        """``statements``: ``{partner_id: statement}``, each in its client's lang."""
        message = _("Only accountants and managers can print client statements.")
        self._check_group(ACCOUNTANT_GROUP, message)
        date_from, date_to = self._get_period(data)
        partners = self._get_partners(docids, data)
        statements = partners and self._get_statements(partners, date_from, date_to)
        return self._partner_report_values(
            partners, date_from, date_to, statements=statements or {}
        )

    @api.model
    def _qlibra_page_documents(self, docids, data=None):
        """[(partner id, language)]: each is numbered on its own."""
        partners = self._get_partners(docids, data)
        return [(partner.id, partner.lang or self.env.lang) for partner in partners]

    @api.model
    def _get_statements(self, partners, date_from, date_to):
        company_ids = self.env.companies.ids
        lines = self._get_line_rows(partners, date_from, date_to, company_ids)
        # Archived contracts too (archiving ends a contract, its past stays),
        # and those of a fixed price recognised in the period, even after
        # their end, as the analysis shows it, and of the lines.
        Task = self.env["project.task"].sudo().with_context(active_test=False)
        tasks = Task.search(
            [
                ("qlibra_contract_id.partner_id", "in", partners.ids),
                ("qlibra_contract_id.company_id", "in", company_ids),
                *Task._qlibra_recognised_domain(date_from, date_to),
            ],
            order="qlibra_date_done, id",
        )
        line_contracts = self.env["qlibra.contract"].browse(
            {row["contract_id"] for row in lines if row["contract_id"]}
        )
        contracts = (
            partners._qlibra_contracts_between(date_from, date_to).with_env(self.env)
            | tasks.qlibra_contract_id.with_env(self.env)
            | line_contracts.filtered_domain([("company_id", "in", company_ids)])
        ).sorted(lambda c: (c.date_start, c.id))
        figures = self._contract_month_figures(contracts, date_from, date_to)
        # {contract id: its fixed prices of the period}, archived tasks excepted
        deliveries = defaultdict(list)
        for task in tasks.filtered("active"):
            deliveries[task.qlibra_contract_id.id].append(
                {
                    "task": task.name,
                    "project": task.project_id.name,
                    "date_done": task.qlibra_date_done,
                    "price": task.qlibra_fixed_price,
                }
            )
        by_partner = defaultdict(list, groupby(lines, itemgetter("partner_id")))
        statements = {}
        for partner in partners:
            own = contracts.filtered(lambda c, p=partner: c.partner_id == p)
            args = date_from, date_to, by_partner[partner.id], own, figures, deliveries
            statement = self.with_context(lang=partner.lang or self.env.lang)
            statements[partner.id] = statement._get_statement(partner, *args)
        return statements

    @api.model
    def _get_line_rows(self, partners, date_from, date_to, company_ids):
        """Plain rows in one query: a statement can list 100,000 lines."""
        self.env["account.analytic.line"].flush_model()
        return self.env.execute_query_dict(
            SQL(
                """SELECT aal.qlibra_partner_id AS partner_id, aal.date, aal.name,
                          aal.qlibra_contract_id AS contract_id,
                          aal.unit_amount AS hours, project.name AS project_names,
                          COALESCE(aal.qlibra_is_change_request, FALSE)
                              AS is_change_request,
                          COALESCE(employee.name, user_partner.name, '') AS employee,
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

    @api.model
    def _line_values(self, row):
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
        return {key: sum(line[key] for line in lines) for key in HOURS}

    @api.model
    def _get_statement(
        self, partner, date_from, date_to, rows, contracts, figures, deliveries
    ):
        """``sections``: per contract running or carrying time, then the time
        none covers; ``totals``: per currency (two are never added)."""
        lines = [self._line_values(row) for row in rows]
        by_contract = defaultdict(list)
        for row, values in zip(rows, lines, strict=True):
            by_contract[row["contract_id"]].append(values)
        months = self._months(date_from, date_to)
        sections = []
        for contract in contracts:
            own_lines = by_contract.pop(contract.id, [])
            own_months = [m for m in months if contract._month_fraction(m)]
            args = own_months, figures, deliveries.get(contract.id, [])
            sections.append(self._section(contract, own_lines, *args))
        uncovered = [v for values in by_contract.values() for v in values]
        if uncovered:
            uncovered.sort(key=lambda v: v["date"])
            sections.append(self._section(contracts.browse(), uncovered, [], {}, []))
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
        """[{"currency", "amount"}], the company's currency first (0 if no bill)."""
        company_currency = self.env.company.currency_id
        amounts = defaultdict(float)
        for section in sections:
            if section["amount"] or section["currency"] == company_currency:
                amounts[section["currency"]] += section["amount"]
        if not amounts:
            amounts[company_currency] = 0.0
        currencies = sorted(amounts, key=lambda c: (c != company_currency, c.name))
        return [{"currency": c, "amount": amounts[c]} for c in currencies]

    @api.model
    def _section(self, contract, lines, months, figures, deliveries):
        rule = contract._qlibra_rule()
        # in the client's language, as self's context has it
        label = contract and contract.with_env(self.env)._qlibra_type_label()
        section = {
            "contract": contract or False,
            "currency": contract.currency_id or self.env.company.currency_id,
            "name": contract.name or _("Time not covered by a contract"),
            "contract_type": contract.contract_type or "none",
            "contract_type_label": label or _("No Contract"),
            **{term: contract[term] for term in CONTRACT_TERMS},
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
            rows = [
                self._subscription_month(contract, m, figures, balances) for m in months
            ]
            section["months"] = rows
            section["amount"] = sum(row["fee"] + row["overage_amount"] for row in rows)
        elif rule.hourly:
            sums = [figures.get((contract.id, month), {}) for month in months]
            section["amount"] = sum(values.get("time", 0.0) for values in sums)
        elif rule.fixed_price:
            section["deliveries"] = deliveries
            section["amount"] = sum(d["price"] for d in deliveries)
        return section

    @api.model
    def _projects(self, lines):
        return [
            {
                "project": project,
                **self._hours(project_lines),
                "tasks": [
                    {"task": task, **self._hours(task_lines)}
                    for task, task_lines in groupby(project_lines, itemgetter("task"))
                ],
            }
            for project, project_lines in groupby(lines, itemgetter("project"))
        ]
