# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import drop_view_if_exists

from ..models.qlibra_contract import CONTRACT_TYPES

MONEY_GROUP = "qlibra_task.group_qlibra_accountant"
MARGIN_GROUP = "qlibra_task.group_qlibra_manager"

# Ratios whose pivot cell is computed from the cell's sums, never averaged.
RATIO_AGGREGATES = {
    "margin_percent:avg": ("margin", "revenue", 100.0),
    "effective_rate:avg": ("revenue", "hours", 1.0),
}


class QlibraProfitabilityReport(models.Model):
    """Hours, cost and revenue per client and month.

    One row per timesheet line, plus one row per revenue event that no line
    carries: a subscription's monthly fee, its overage for a month, and the
    price of a fixed-price task on the month it was done. Summing any column
    over any grouping therefore gives the right total.
    """

    _name = "qlibra.profitability.report"
    _description = "Client Profitability Analysis"
    _auto = False
    _order = "date desc, partner_id"
    _rec_name = "partner_id"

    date = fields.Date(string="Month", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    contract_id = fields.Many2one("qlibra.contract", readonly=True)
    contract_type = fields.Selection(
        [*CONTRACT_TYPES, ("none", "No Contract")],
        readonly=True,
    )
    row_type = fields.Selection(
        [
            ("time", "Time"),
            ("fee", "Subscription Fee"),
            ("overage", "Overage"),
            ("fixed_price", "Fixed Price Delivered"),
        ],
        string="Line Type",
        readonly=True,
    )
    project_id = fields.Many2one("project.project", readonly=True)
    task_id = fields.Many2one("project.task", readonly=True)
    employee_id = fields.Many2one("hr.employee", readonly=True)
    hours = fields.Float(readonly=True)
    change_request_hours = fields.Float(string="Change-request Hours", readonly=True)
    uncosted_hours = fields.Float(
        string="Hours Without Cost",
        readonly=True,
        groups=MARGIN_GROUP,
        help="Hours logged by employees who had no hourly cost.",
    )
    cost = fields.Monetary(readonly=True, groups=MARGIN_GROUP)
    revenue = fields.Monetary(readonly=True, groups=MONEY_GROUP)
    margin = fields.Monetary(readonly=True, groups=MARGIN_GROUP)
    margin_percent = fields.Float(
        string="Margin (%)",
        readonly=True,
        aggregator="avg",
        groups=MARGIN_GROUP,
        help="Margin / revenue of the cell's sums; empty without revenue.",
    )
    effective_rate = fields.Monetary(
        string="Effective Hourly Rate",
        readonly=True,
        aggregator="avg",
        groups=MONEY_GROUP,
        help="Revenue / hours of the cell's sums.",
    )

    @api.model
    def _query(self):
        return SQL(
            "%s UNION ALL %s UNION ALL %s UNION ALL %s",
            self._query_time(),
            self._query_fee(),
            self._query_overage(),
            self._query_fixed_price(),
        )

    @api.model
    def _select_common(self, *, revenue, cost=None):
        cost = cost or SQL("0.0")
        return SQL(
            """%(revenue)s AS revenue,
               %(cost)s AS cost,
               (%(revenue)s) - (%(cost)s) AS margin,
               CASE WHEN (%(revenue)s) <> 0
                    THEN ((%(revenue)s) - (%(cost)s)) / (%(revenue)s) * 100.0
               END AS margin_percent""",
            revenue=revenue,
            cost=cost,
        )

    @api.model
    def _query_time(self):
        """One row per timesheet line: hours, cost, hourly revenue."""
        revenue = SQL(
            "CASE WHEN c.contract_type = 'hourly' "
            "THEN aal.unit_amount * COALESCE(c.hourly_rate, 0.0) ELSE 0.0 END"
        )
        return SQL(
            """
            SELECT aal.id AS id,
                   'time' AS row_type,
                   date_trunc('month', aal.date)::date AS date,
                   aal.company_id AS company_id,
                   company.currency_id AS currency_id,
                   aal.qlibra_partner_id AS partner_id,
                   aal.qlibra_contract_id AS contract_id,
                   COALESCE(c.contract_type, 'none') AS contract_type,
                   aal.project_id AS project_id,
                   aal.task_id AS task_id,
                   aal.employee_id AS employee_id,
                   aal.unit_amount AS hours,
                   CASE WHEN aal.qlibra_is_change_request
                        THEN aal.unit_amount ELSE 0.0 END AS change_request_hours,
                   CASE WHEN aal.amount = 0
                        THEN aal.unit_amount ELSE 0.0 END AS uncosted_hours,
                   CASE WHEN aal.unit_amount <> 0
                        THEN (%(revenue)s) / aal.unit_amount END AS effective_rate,
                   %(common)s
              FROM account_analytic_line aal
              JOIN res_company company ON company.id = aal.company_id
         LEFT JOIN qlibra_contract c ON c.id = aal.qlibra_contract_id
             WHERE aal.project_id IS NOT NULL
            """,
            revenue=revenue,
            common=self._select_common(
                revenue=revenue, cost=SQL("COALESCE(aal.qlibra_cost, 0.0)")
            ),
        )

    @api.model
    def _query_fee(self):
        """One row per subscription and month it runs, pro rata by days.

        Months after the current one are not earned yet.
        """
        covered_days = SQL(
            "(LEAST(m.month_end, COALESCE(c.date_end, m.month_end))"
            " - GREATEST(m.month_start, c.date_start) + 1)"
        )
        days_in_month = SQL("(m.month_end - m.month_start + 1)")
        revenue = SQL(
            "COALESCE(c.monthly_fee, 0.0) * %s / %s", covered_days, days_in_month
        )
        return SQL(
            """
            SELECT -3 * (c.id::bigint * 100000
                         + EXTRACT(YEAR FROM m.month_start)::bigint * 12
                         + EXTRACT(MONTH FROM m.month_start)::bigint) AS id,
                   'fee' AS row_type,
                   m.month_start AS date,
                   c.company_id AS company_id,
                   company.currency_id AS currency_id,
                   c.partner_id AS partner_id,
                   c.id AS contract_id,
                   c.contract_type AS contract_type,
                   NULL::integer AS project_id,
                   NULL::integer AS task_id,
                   NULL::integer AS employee_id,
                   0.0 AS hours,
                   0.0 AS change_request_hours,
                   0.0 AS uncosted_hours,
                   NULL::numeric AS effective_rate,
                   %(common)s
              FROM qlibra_contract c
              JOIN res_company company ON company.id = c.company_id
              CROSS JOIN LATERAL (
                  SELECT gs::date AS month_start,
                         (gs + interval '1 month - 1 day')::date AS month_end
                    FROM generate_series(
                        date_trunc('month', c.date_start),
                        date_trunc('month', LEAST(
                            COALESCE(c.date_end, CURRENT_DATE), CURRENT_DATE)),
                        interval '1 month') AS gs
              ) m
             WHERE c.contract_type = 'subscription'
            """,
            common=self._select_common(revenue=revenue),
        )

    @api.model
    def _query_overage(self):
        """One row per subscription and month whose hours exceed the included."""
        revenue = SQL(
            "(SUM(aal.unit_amount) - c.included_hours) * COALESCE(c.overage_rate, 0.0)"
        )
        return SQL(
            """
            SELECT -3 * (c.id::bigint * 100000
                         + EXTRACT(YEAR FROM date_trunc('month', aal.date))::bigint * 12
                         + EXTRACT(MONTH FROM date_trunc('month', aal.date))::bigint)
                   - 1 AS id,
                   'overage' AS row_type,
                   date_trunc('month', aal.date)::date AS date,
                   c.company_id AS company_id,
                   company.currency_id AS currency_id,
                   c.partner_id AS partner_id,
                   c.id AS contract_id,
                   c.contract_type AS contract_type,
                   NULL::integer AS project_id,
                   NULL::integer AS task_id,
                   NULL::integer AS employee_id,
                   0.0 AS hours,
                   0.0 AS change_request_hours,
                   0.0 AS uncosted_hours,
                   NULL::numeric AS effective_rate,
                   %(common)s
              FROM account_analytic_line aal
              JOIN qlibra_contract c ON c.id = aal.qlibra_contract_id
              JOIN res_company company ON company.id = c.company_id
             WHERE c.contract_type = 'subscription'
               AND COALESCE(c.overage_rate, 0.0) > 0
          GROUP BY c.id, company.currency_id, date_trunc('month', aal.date)
            HAVING SUM(aal.unit_amount) > c.included_hours
            """,
            common=self._select_common(revenue=revenue),
        )

    @api.model
    def _query_fixed_price(self):
        """One row per fixed-price task, on the month it was done."""
        revenue = SQL("t.qlibra_fixed_price")
        return SQL(
            """
            SELECT -3 * t.id::bigint - 2 AS id,
                   'fixed_price' AS row_type,
                   date_trunc('month', t.qlibra_date_done)::date AS date,
                   c.company_id AS company_id,
                   company.currency_id AS currency_id,
                   c.partner_id AS partner_id,
                   c.id AS contract_id,
                   c.contract_type AS contract_type,
                   t.project_id AS project_id,
                   t.id AS task_id,
                   NULL::integer AS employee_id,
                   0.0 AS hours,
                   0.0 AS change_request_hours,
                   0.0 AS uncosted_hours,
                   NULL::numeric AS effective_rate,
                   %(common)s
              FROM project_task t
              JOIN qlibra_contract c ON c.id = t.qlibra_contract_id
              JOIN res_company company ON company.id = c.company_id
             WHERE c.contract_type = 'fixed_price'
               AND t.state = '1_done'
               AND t.qlibra_date_done IS NOT NULL
               AND t.qlibra_fixed_price > 0
            """,
            common=self._select_common(revenue=revenue),
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # The view reads these tables directly: pending ORM writes to them
        # must reach the database before any query on the view.
        for model in ("account.analytic.line", "qlibra.contract", "project.task"):
            self.env[model].flush_model()
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec not in RATIO_AGGREGATES:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominator, factor = RATIO_AGGREGATES[aggregate_spec]
        return SQL(
            "SUM(%(num)s) / NULLIF(SUM(%(den)s), 0) * %(factor)s",
            num=self._field_to_sql(self._table, numerator, query),
            den=self._field_to_sql(self._table, denominator, query),
            factor=factor,
        )
