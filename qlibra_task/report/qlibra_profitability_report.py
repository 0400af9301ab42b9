# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import drop_view_if_exists

from ..models.contract_type import CONTRACT_TYPES, types_with
from ..models.groups import ACCOUNTANT_GROUP, MANAGER_GROUP
from ..models.qlibra_sql import without_jit
from ..models.qlibra_today import TODAY_SETTING
from ..models.qlibra_today import today as qlibra_today


class QlibraProfitabilityReport(models.Model):
    """Hours, cost and revenue per client and month: the timesheet lines
    read as they are (no copy to keep in step), plus the revenue no line
    carries: a subscription month's fee and overage (contract-month store)
    and a fixed price on its done month. Any column sums right over any
    grouping."""

    _name = "qlibra.profitability.report"
    _description = "Client Profitability Analysis"
    _auto = False
    _order = "date desc, partner_id"
    _rec_name = "partner_id"

    date = fields.Date(string="Month", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="The company's currency: revenue, cost and margin are in it.",
    )
    contract_currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="The currency of the contract's fees and rates (the company's "
        "for time without contract).",
    )
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    contract_id = fields.Many2one("qlibra.contract", readonly=True)
    contract_type = fields.Selection(
        [*CONTRACT_TYPES, ("none", "No Contract")], readonly=True
    )
    is_internal = fields.Boolean(
        string="Internal",
        readonly=True,
        help="Time on projects without a client or for one of the firm's own "
        "companies: a cost of the firm, apart from its clients.",
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
    included_hours = fields.Float(
        readonly=True,
        help="Hours the subscriptions include in the month, pro rata by days "
        "in a partial month (on the rows of their fees).",
    )
    carried_hours = fields.Float(
        readonly=True,
        help="Unused included hours of earlier months still usable at the "
        "start of the month, for subscriptions whose hours roll over (on the "
        "rows of their fees).",
    )
    used_carried_hours = fields.Float(
        string="Carried Hours Used",
        readonly=True,
        help="Hours above the month's included hours that carried hours "
        "covered, so that they are not overage.",
    )
    expired_hours = fields.Float(
        string="Expired Carried Hours",
        readonly=True,
        help="Carried hours left unused at the end of the last month they "
        "could be used in.",
    )
    change_request_hours = fields.Float(string="Change-request Hours", readonly=True)
    uncosted_hours = fields.Float(
        string="Hours Without Cost",
        readonly=True,
        groups=MANAGER_GROUP,
        help="Hours logged by employees who had no hourly cost.",
    )
    cost = fields.Monetary(readonly=True, groups=MANAGER_GROUP)
    revenue = fields.Monetary(
        readonly=True,
        groups=ACCOUNTANT_GROUP,
        help="In the company's currency: the revenue of a contract in another "
        "currency is converted at Odoo's rate of the row's month (its first "
        "day).",
    )
    contract_revenue = fields.Monetary(
        string="Revenue in Contract Currency",
        currency_field="contract_currency_id",
        readonly=True,
        # Never summed across rows of different currencies by a pivot.
        aggregator=None,
        groups=ACCOUNTANT_GROUP,
        help="The revenue as the client is billed it, in the contract's currency.",
    )
    margin = fields.Monetary(readonly=True, groups=MANAGER_GROUP)
    margin_percent = fields.Float(
        string="Margin (%)",
        readonly=True,
        aggregator="avg",
        groups=MANAGER_GROUP,
        help="Margin / revenue of the cell's sums; empty without revenue.",
    )
    effective_rate = fields.Monetary(
        string="Effective Hourly Rate",
        readonly=True,
        aggregator="avg",
        groups=ACCOUNTANT_GROUP,
        help="Revenue / hours of the cell's sums.",
    )

    # (name, type) every branch of the UNION ALL casts its columns to, in
    # this order: one layout, no mixed numeric/float arithmetic. Money is
    # numeric as on the lines (sums exact to the cent); revenue is in the
    # contract's currency, init() converts it to the company's; ratios only
    # make sense over sums (_read_group_select).
    COLUMNS = tuple(
        tuple(column.split(":"))
        for column in (
            "id:bigint row_type:varchar date:date company_id:integer "
            "currency_id:integer contract_currency_id:integer partner_id:integer "
            "contract_id:integer contract_type:varchar project_id:integer "
            "task_id:integer employee_id:integer hours:float8 included_hours:float8 "
            "carried_hours:float8 used_carried_hours:float8 expired_hours:float8 "
            "change_request_hours:float8 uncosted_hours:float8 cost:numeric "
            "contract_revenue:numeric margin_percent:float8 effective_rate:float8"
        ).split()
    )

    @api.model
    def _query(self):
        branches = [self._query_time(), self._query_fee(), self._query_overage()]
        return SQL(" UNION ALL ").join([*branches, self._query_fixed_price()])

    @api.model
    def _branch(self, values, from_where):
        """SELECT values (a dict of column: SQL) cast to COLUMNS, FROM ..."""
        return SQL(
            "SELECT %s %s",
            SQL(", ").join(
                SQL(
                    "(%s)::%s AS %s",
                    values.get(name, SQL("NULL")),
                    SQL(sql_type),
                    SQL.identifier(name),
                )
                for name, sql_type in self.COLUMNS
            ),
            from_where,
        )

    @api.model
    def _query_time(self):
        """Time: one row per timesheet line, on its month."""
        return self._branch(
            {
                "id": SQL("l.id"),
                "row_type": SQL("'time'"),
                "date": SQL("date_trunc('month', l.date::timestamp)"),
                "company_id": SQL("l.company_id"),
                # The lines' own stored columns only: no join (the benchmark
                # measured one to the contracts at a third of the pivot).
                "currency_id": SQL("l.currency_id"),
                "contract_currency_id": SQL("l.qlibra_revenue_currency_id"),
                "partner_id": SQL("l.qlibra_partner_id"),
                "contract_id": SQL("l.qlibra_contract_id"),
                "contract_type": SQL("COALESCE(l.qlibra_contract_type, 'none')"),
                "project_id": SQL("l.project_id"),
                "task_id": SQL("l.task_id"),
                "employee_id": SQL("l.employee_id"),
                "hours": SQL("l.unit_amount"),
                "included_hours": SQL("0"),
                "change_request_hours": SQL(
                    "CASE WHEN l.qlibra_is_change_request THEN l.unit_amount ELSE 0 END"
                ),
                "uncosted_hours": SQL(
                    "CASE WHEN COALESCE(l.qlibra_hourly_cost, 0) = 0"
                    " THEN l.unit_amount ELSE 0 END"
                ),
                "cost": SQL("COALESCE(l.qlibra_cost, 0)"),
                "contract_revenue": SQL("COALESCE(l.qlibra_revenue, 0)"),
            },
            SQL("FROM account_analytic_line l WHERE l.project_id IS NOT NULL"),
        )

    @api.model
    def _revenue_only(self, revenue):
        """Columns of a revenue row: no hours nor cost, contract currency."""
        zero = "hours included_hours change_request_hours uncosted_hours cost".split()
        return {**dict.fromkeys(zero, SQL("0")), "contract_revenue": revenue}

    @api.model
    def _contract_columns(self):
        """Columns of a row of contract c in company co (money in the
        contract's currency, the company's beside it)."""
        return {
            "currency_id": SQL("co.currency_id"),
            "contract_currency_id": SQL("c.currency_id"),
            "company_id": SQL("c.company_id"),
            "partner_id": SQL("c.partner_id"),
            "contract_id": SQL("c.id"),
            "contract_type": SQL("c.contract_type"),
        }

    @api.model
    def _store_branch(self, row_type, id_offset, values, where):
        """Rows of the contract-month store: one per subscription month."""
        return self._branch(
            {
                "id": SQL(
                    "-3 * (c.id::bigint * 100000"
                    " + EXTRACT(YEAR FROM r.date)::bigint * 12"
                    " + EXTRACT(MONTH FROM r.date)::bigint) - %s",
                    id_offset,
                ),
                "row_type": SQL("%s", row_type),
                "date": SQL("r.date"),
                **self._contract_columns(),
                **values,
            },
            SQL(
                """FROM qlibra_contract_month r
                   JOIN qlibra_contract c ON c.id = r.contract_id
                   JOIN res_company co ON co.id = c.company_id
                  WHERE %s""",
                where,
            ),
        )

    @api.model
    def _query_fee(self):
        """A subscription's fee per month, with its included and carried hours."""
        return self._store_branch(
            "fee",
            0,
            {
                **self._revenue_only(SQL("r.fee")),
                "included_hours": SQL("r.included_hours"),
                "carried_hours": SQL("r.carried_in"),
                "used_carried_hours": SQL("r.used_carried"),
                "expired_hours": SQL("r.expired"),
            },
            # months after today's are not earned yet
            SQL(
                """r.date <= date_trunc('month', COALESCE(
                       NULLIF(current_setting(%s, true), '')::date, CURRENT_DATE))""",
                TODAY_SETTING,
            ),
        )

    @api.model
    def _query_overage(self):
        """A subscription's overage per month (extra hours x overage rate)."""
        return self._store_branch(
            "overage", 1, self._revenue_only(SQL("r.overage")), SQL("r.overage <> 0")
        )

    @api.model
    def _query_fixed_price(self):
        """One row per fixed-price task, on the month it was done."""
        return self._branch(
            {
                "id": SQL("-3 * t.id::bigint - 2"),
                "row_type": SQL("'fixed_price'"),
                "date": SQL("date_trunc('month', t.qlibra_date_done)"),
                **self._contract_columns(),
                "project_id": SQL("t.project_id"),
                "task_id": SQL("t.id"),
                **self._revenue_only(SQL("t.qlibra_fixed_price")),
            },
            SQL(
                """FROM project_task t
                   JOIN qlibra_contract c ON c.id = t.qlibra_contract_id
                   JOIN res_company co ON co.id = c.company_id
                  WHERE c.contract_type IN %s
                    AND t.qlibra_date_done IS NOT NULL
                    AND t.qlibra_fixed_price > 0""",
                tuple(types_with("fixed_price")),
            ),
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # The view reads these tables: flush pending writes first.
        for model in ("account.analytic.line", "qlibra.contract", "project.task"):
            self.env[model].flush_model()
        # The contract-month store, with what this transaction changed. It
        # already reaches today's month (_cron_extend_months keeps it a month
        # ahead), so a read on a read-only cursor (replica) writes nothing.
        today = qlibra_today(self)
        self.env["qlibra.contract"]._qlibra_store_months(until=today)
        # The months a subscription has earned end with the user's today.
        self.env.cr.execute(
            SQL(
                "SELECT set_config(%s, %s, true)",
                TODAY_SETTING,
                fields.Date.to_string(today),
            )
        )
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _read_group_groupby(self, groupby_spec, query):
        # Every row's date is its month's first day: by month, the column
        # itself, not a date_trunc per line (the pivot's default grouping).
        if groupby_spec == "date:month":
            return self._field_to_sql(self._table, "date", query)
        return super()._read_group_groupby(groupby_spec, query)

    # The view's plans look costly enough that PostgreSQL would JIT-compile
    # them, for longer than they run (see without_jit).
    @api.model
    def _read_group(self, *args, **kwargs):
        with without_jit(self.env.cr):
            return super()._read_group(*args, **kwargs)

    @api.model
    def search_fetch(self, *args, **kwargs):
        with without_jit(self.env.cr):
            return super().search_fetch(*args, **kwargs)

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self._init_currency_rate()
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (SELECT u.*, %s FROM (%s) u)",
                SQL.identifier(self._table),
                SQL(", ").join(
                    SQL("%s AS %s", value, SQL.identifier(name))
                    for name, value in self._outer_columns("u").items()
                ),
                self._query(),
            )
        )

    @api.model
    def _outer_columns(self, alias):
        """Columns computed over the branches' rows (alias): revenue and
        margin in the company's currency, internal or not."""
        revenue = self._company_revenue_sql(alias)
        return {
            "revenue": revenue,
            "margin": SQL("%s - %s.cost", revenue, SQL.identifier(alias)),
            "is_internal": self._is_internal_sql(f"{alias}.partner_id"),
        }

    @api.model
    def _company_revenue_sql(self, alias):
        """SQL of a row's contract_revenue in the company's currency at the
        rate of the row's date, as res.currency._convert() (unrounded, as
        Odoo's accounting reports convert balances)."""
        return SQL(
            """(CASE WHEN %(row)s.contract_currency_id = %(row)s.currency_id
                       OR %(row)s.contract_revenue = 0
                     THEN %(row)s.contract_revenue
                     ELSE (%(row)s.contract_revenue
                          * qlibra_currency_rate(%(row)s.currency_id,
                                                 %(row)s.company_id, %(row)s.date)
                          / qlibra_currency_rate(%(row)s.contract_currency_id,
                                                 %(row)s.company_id, %(row)s.date)
                          )::numeric
                END)""",
            row=SQL.identifier(alias),
        )

    def _init_currency_rate(self):
        """SQL twin of res.currency._get_rates(): the last rate of the day or
        before (the company's own first), else the first rate, else 1."""
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE FUNCTION qlibra_currency_rate(
                    currency integer, company integer, day date)
                RETURNS float8 LANGUAGE sql STABLE PARALLEL SAFE
                -- Called for rows in another currency only: its default cost
                -- of 100 per row made the view's plans look expensive.
                COST 1 AS $fn$
                    WITH root AS (
                        SELECT split_part(parent_path, '/', 1)::integer AS id
                          FROM res_company WHERE id = company
                    ), rates AS (
                        SELECT r.name, r.rate, r.company_id
                          FROM res_currency_rate r
                         WHERE r.currency_id = currency
                           AND (r.company_id IS NULL
                                OR r.company_id = (SELECT id FROM root))
                    )
                    SELECT COALESCE(
                        (SELECT rate FROM rates WHERE name <= day
                          ORDER BY company_id, name DESC LIMIT 1),
                        (SELECT rate FROM rates
                          ORDER BY company_id, name ASC LIMIT 1),
                        1.0)::float8
                $fn$;
                """
            )
        )

    @api.model
    def _is_internal_sql(self, partner_id):
        """Internal time: no client, or one of the firm's own companies."""
        return SQL(
            "(%(partner)s IS NULL OR %(partner)s IN "
            "(SELECT partner_id FROM res_company))",
            partner=SQL(partner_id),
        )

    def _qlibra_total(self, name, query):
        """A cell's sum of column name; its margin is sum(revenue) -
        sum(cost), aggregates PostgreSQL computes once per cell (summing
        numeric columns is the pivot's most costly work)."""
        if name == "margin":
            return SQL(
                "(%s - %s)",
                self._qlibra_total("revenue", query),
                self._qlibra_total("cost", query),
            )
        return SQL("SUM(%s)", self._field_to_sql(self._table, name, query))

    @api.model
    def _qlibra_ratios(self):
        """{aggregate: (numerator, denominator, factor)}: cell sums' ratios."""
        return {
            "margin_percent:avg": ("margin", "revenue", 100.0),
            "effective_rate:avg": ("revenue", "hours", 1.0),
        }

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec == "margin:sum":
            return self._qlibra_total("margin", query)
        ratios = self._qlibra_ratios()
        if aggregate_spec not in ratios:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominator, factor = ratios[aggregate_spec]
        return SQL(
            "%s / NULLIF(%s, 0) * %s",
            self._qlibra_total(numerator, query),
            self._qlibra_total(denominator, query),
            factor,
        )
