# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.qlibra_task.models.groups import ACCOUNTANT_GROUP

# The carried-hours balance of a month (qlibra.contract._qlibra_rollover_balances).
CARRIED_KEYS = ("carried_in", "used_carried", "expired", "carried_out")


class ClientStatementReport(models.AbstractModel):
    """Statement of the work done for a client in a period.

    The only data layer of the statement: the QWeb PDF and the XLSX both lay
    out what ``_get_report_values`` returns. It never reads a cost, a margin
    or an hourly cost: the statement goes to the client.
    """

    _name = "report.qlibra_task_reports.report_client_statement"
    _description = "Client Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        """Values of the statements of the clients ``docids`` (partners).

        Returns a dict:

        - ``doc_ids``, ``doc_model`` (``res.partner``), ``docs``: the clients
          (commercial partners, without duplicates);
        - ``company``: the company printing;
        - ``date_from``, ``date_to``: the period (``datetime.date``);
        - ``statements``: ``{partner_id: statement}``, each statement a dict:

          - ``partner``, ``lang`` (the client's language code), ``currency``
            (of the totals when there is one, else the company's);
          - ``totals``: what the client is billed per currency, dicts with
            ``currency`` and ``amount`` (two currencies are never added);
          - ``date_from``, ``date_to``;
          - ``sections``: one per contract valid in the period or carrying
            time of the period, then one with ``contract`` False for time no
            contract covers. Each section: ``contract`` (record or False),
            ``currency`` (the contract's: its fees, rates and amounts),
            ``name``, ``contract_type`` (key, ``"none"`` without contract),
            ``contract_type_label``, ``date_start``, ``date_end``,
            ``monthly_fee``, ``included_hours``, ``overage_rate``,
            ``hourly_rate``, ``hours``, ``change_request_hours``, ``lines``
            (as below), ``months`` (subscription: one dict per calendar month
            the period touches with ``month``, ``included_hours``,
            ``used_hours``, ``extra_hours`` (above the included and the
            carried hours), ``fee``, ``overage_rate``, ``overage_amount``,
            and the carried-hours balance ``carried_in``, ``used_carried``,
            ``expired``, ``carried_out`` (zero without rollover); the
            month's figures are whole-month figures), ``rollover``
            (subscription: whether its unused hours roll over),
            ``deliveries`` (fixed price: tasks done in the period,
            dicts with ``task``, ``project``, ``date_done``, ``price``),
            ``amount`` (what the client is billed for the section, in its
            currency);
          - ``lines``: every timesheet line of the period, dicts with
            ``date``, ``employee``, ``project``, ``task``, ``description``,
            ``hours``, ``is_change_request``, ``contract``;
          - ``projects``: hours per project and task, dicts with
            ``project``, ``hours``, ``change_request_hours`` and ``tasks``
            (dicts with ``task``, ``hours``, ``change_request_hours``);
          - ``hours``, ``change_request_hours``, ``change_request_count``
            (timesheet entries marked as change requests);
          - ``is_empty``: no time and nothing billed in the period.

        Labels (contract types) are in the client's language.
        """
        if not self.env.user.has_group(ACCOUNTANT_GROUP):
            raise AccessError(
                _("Only accountants and managers can print client statements.")
            )
        date_from, date_to = self.env["qlibra.report.period"]._get_period(data)
        partners = self.env["qlibra.report.period"]._get_partners(docids, data)
        statements = {}
        if partners:
            statements = self._get_statements(partners, date_from, date_to)
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": self.env.company,
            "date_from": date_from,
            "date_to": date_to,
            "statements": statements,
        }

    @api.model
    def _qlibra_page_documents(self, docids, data=None):
        """The statements of a PDF, each numbered "Page X / Y" on its own:
        ``[(partner id, the client's language)]`` (see ir.actions.report)."""
        partners = self.env["qlibra.report.period"]._get_partners(docids, data)
        return [(partner.id, partner.lang or self.env.lang) for partner in partners]

    @api.model
    def _get_statements(self, partners, date_from, date_to):
        company_ids = self.env.companies.ids
        lines = self._get_line_rows(partners, date_from, date_to, company_ids)
        # Archived contracts too: archiving ends a contract, its past stays.
        Contract = self.env["qlibra.contract"].with_context(active_test=False)
        contracts = Contract.search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "in", company_ids),
                *Contract._qlibra_running_domain(date_from, date_to),
            ]
        )
        # A fixed price recognised in the period, even after its contract's
        # end, is billed in the period, as the analysis shows it.
        contracts |= (
            self.env["project.task"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("qlibra_contract_id.partner_id", "in", partners.ids),
                    ("qlibra_contract_id.company_id", "in", company_ids),
                    *self.env["project.task"]._qlibra_recognised_domain(
                        date_from, date_to
                    ),
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
        monthly = self._get_monthly_figures(contracts, date_from, date_to)
        deliveries = self._get_deliveries(contracts, date_from, date_to)
        lines_by_partner = defaultdict(list)
        for row in lines:
            lines_by_partner[row["partner_id"]].append(row)
        statements = {}
        for partner in partners:
            lang = partner.lang or self.env.lang
            statements[partner.id] = self.with_context(lang=lang)._get_statement(
                partner,
                date_from,
                date_to,
                lines_by_partner[partner.id],
                contracts.filtered(lambda c, p=partner: c.partner_id == p),
                monthly,
                deliveries,
            )
        return statements

    @api.model
    def _get_monthly_figures(self, contracts, date_from, date_to):
        """Whole-month figures of the contracts from the profitability view,
        so that the statement bills what the analysis shows, to the cent
        (hourly revenue is rounded per line there).

        Returns {(contract_id, month): {"hours", "fee", "overage", "time"}}
        ("time": the revenue of the time rows, i.e. hourly revenue), amounts
        in the contract's currency.
        """
        billed = contracts.filtered(
            lambda c: c._qlibra_rule().monthly_fee or c._qlibra_rule().hourly
        )
        if not billed:
            return {}
        rows = self.env["qlibra.profitability.report"]._read_group(
            [
                ("contract_id", "in", billed.ids),
                ("date", ">=", date_from.replace(day=1)),
                ("date", "<=", date_to),
            ],
            ["contract_id", "date:month", "row_type"],
            # billed in the contract's currency, as the client pays
            ["hours:sum", "contract_revenue:sum"],
        )
        figures = defaultdict(
            lambda: {"hours": 0.0, "fee": 0.0, "overage": 0.0, "time": 0.0}
        )
        for contract, month, row_type, hours, revenue in rows:
            values = figures[(contract.id, month)]
            values["hours"] += hours
            if row_type in ("fee", "overage", "time"):
                values[row_type] += revenue
        return figures

    @api.model
    def _get_deliveries(self, contracts, date_from, date_to):
        """Fixed-price tasks done in the period, per contract id."""
        fixed = contracts.filtered(lambda c: c._qlibra_rule().fixed_price)
        deliveries = defaultdict(list)
        if not fixed:
            return deliveries
        tasks = (
            self.env["project.task"]
            .sudo()
            .search(
                [
                    ("qlibra_contract_id", "in", fixed.ids),
                    *self.env["project.task"]._qlibra_recognised_domain(
                        date_from, date_to
                    ),
                ],
                order="qlibra_date_done, id",
            )
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
        """The timesheet lines of the clients in the period, as plain rows.

        One query: a statement can list a hundred thousand lines, and reading
        them through the ORM field by field costs more than writing them.
        """
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
        """A line of the statement, in the language of the context."""
        names = row["project_names"] or {}
        return {
            "date": row["date"],
            "employee": row["employee"],
            "project": names.get(self.env.lang) or names.get("en_US") or "",
            "task": row["task"],
            "description": row["name"] if row["name"] and row["name"] != "/" else "",
            "hours": row["hours"],
            "is_change_request": row["is_change_request"],
            "contract": row["contract"],
        }

    @api.model
    def _get_statement(
        self, partner, date_from, date_to, lines, contracts, monthly, deliveries
    ):
        all_lines = [self._line_values(row) for row in lines]
        lines_by_contract = defaultdict(list)
        for row, values in zip(lines, all_lines, strict=True):
            lines_by_contract[row["contract_id"]].append(values)
        months = self.env["qlibra.report.period"]._months(date_from, date_to)
        sections = []
        for contract in contracts:
            section = self._contract_section(
                contract,
                lines_by_contract.pop(contract.id, []),
                [
                    month
                    for month in months
                    if contract._is_valid_on(month, month + relativedelta(day=31))
                ],
                monthly,
                deliveries.get(contract.id, []),
            )
            sections.append(section)
        uncovered = [v for values in lines_by_contract.values() for v in values]
        if uncovered:
            uncovered.sort(key=lambda v: v["date"])
            sections.append(
                {
                    **self._empty_section(),
                    "name": _("Time not covered by a contract"),
                    "contract_type": "none",
                    "contract_type_label": _("No Contract"),
                    "lines": uncovered,
                    "hours": sum(v["hours"] for v in uncovered),
                    "change_request_hours": sum(
                        v["hours"] for v in uncovered if v["is_change_request"]
                    ),
                }
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
            "lines": all_lines,
            "projects": self._projects(all_lines),
            "hours": sum(v["hours"] for v in all_lines),
            "change_request_hours": sum(
                v["hours"] for v in all_lines if v["is_change_request"]
            ),
            "change_request_count": len(
                [v for v in all_lines if v["is_change_request"]]
            ),
            "is_empty": not all_lines and not any(t["amount"] for t in totals),
        }

    @api.model
    def _totals(self, sections):
        """What the client is billed, per currency (never two currencies
        added): [{"currency", "amount"}], the company's currency first; one
        total in the company's currency when nothing is billed."""
        company_currency = self.env.company.currency_id
        amounts = defaultdict(float)
        for section in sections:
            if section["amount"] or section["currency"] == company_currency:
                amounts[section["currency"]] += section["amount"]
        if not amounts:
            amounts[company_currency] = 0.0
        return [
            {"currency": currency, "amount": amount}
            for currency, amount in sorted(
                amounts.items(),
                key=lambda item: (item[0] != company_currency, item[0].name),
            )
        ]

    @api.model
    def _empty_section(self):
        return {
            "contract": False,
            "currency": self.env.company.currency_id,
            "name": "",
            "contract_type": "none",
            "contract_type_label": "",
            "date_start": False,
            "date_end": False,
            "monthly_fee": 0.0,
            "included_hours": 0.0,
            "overage_rate": 0.0,
            "hourly_rate": 0.0,
            "hours": 0.0,
            "change_request_hours": 0.0,
            "lines": [],
            "months": [],
            "rollover": False,
            "deliveries": [],
            "amount": 0.0,
        }

    @api.model
    def _contract_section(self, contract, lines, months, monthly, deliveries):
        section = {
            **self._empty_section(),
            "contract": contract,
            "currency": contract.currency_id,
            "name": contract.name,
            "contract_type": contract.contract_type,
            # in the client's language, as self's context has it
            "contract_type_label": contract.with_env(self.env)._qlibra_type_label(),
            "date_start": contract.date_start,
            "date_end": contract.date_end,
            "monthly_fee": contract.monthly_fee,
            "included_hours": contract.included_hours,
            "overage_rate": contract.overage_rate,
            "hourly_rate": contract.hourly_rate,
            "lines": lines,
            "hours": sum(v["hours"] for v in lines),
            "change_request_hours": sum(
                v["hours"] for v in lines if v["is_change_request"]
            ),
        }
        rule = contract._qlibra_rule()
        if rule.monthly_fee:
            section["rollover"] = contract.rollover_max_hours > 0
            # Included, carried and extra hours: the contract's one rule of a
            # subscription month, which the analysis's overage reads too.
            balances = contract._qlibra_rollover_balances(months)[contract.id]
            for month in months:
                figures = monthly.get((contract.id, month), {})
                balance = balances.get(month, {})
                section["months"].append(
                    {
                        "month": month,
                        "included_hours": contract._included_hours_in_month(month),
                        "used_hours": figures.get("hours", 0.0),
                        **{key: balance.get(key, 0.0) for key in CARRIED_KEYS},
                        "extra_hours": balance.get("overage_hours", 0.0),
                        "fee": figures.get("fee", 0.0),
                        "overage_rate": contract.overage_rate,
                        "overage_amount": figures.get("overage", 0.0),
                    }
                )
            section["amount"] = sum(
                m["fee"] + m["overage_amount"] for m in section["months"]
            )
        elif rule.hourly:
            section["amount"] = sum(
                monthly.get((contract.id, month), {}).get("time", 0.0)
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
            project = projects.setdefault(
                line["project"],
                {
                    "project": line["project"],
                    "hours": 0.0,
                    "change_request_hours": 0.0,
                    "tasks": {},
                },
            )
            task = project["tasks"].setdefault(
                line["task"],
                {"task": line["task"], "hours": 0.0, "change_request_hours": 0.0},
            )
            cr_hours = line["hours"] if line["is_change_request"] else 0.0
            for values in (project, task):
                values["hours"] += line["hours"]
                values["change_request_hours"] += cr_hours
        result = []
        for project in projects.values():
            project["tasks"] = list(project["tasks"].values())
            result.append(project)
        return result
