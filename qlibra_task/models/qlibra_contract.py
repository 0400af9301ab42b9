# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from pytz import timezone

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, format_amount, formatLang

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from .contract_type import CONTRACT_TYPES, contract_rule, types_with
from .figures import consumption_percent
from .groups import ACCOUNTANT_GROUP, MANAGER_GROUP, check_manager
from .qlibra_today import today as qlibra_today

# Terms a subscription's rows of the contract-month store depend on.
STORE_TERMS = set(
    "contract_type monthly_fee overage_rate date_start date_end included_hours "
    "rollover_max_hours rollover_months".split()
)
# Terms the contract of a timesheet line is resolved from.
RESOLUTION_TERMS = set(
    "partner_id date_start date_end previous_contract_id company_id".split()
)
# Terms that cannot be negative.
NON_NEGATIVE = tuple(
    "monthly_fee included_hours overage_rate hourly_rate rollover_max_hours "
    "rollover_months".split()
)

LAST_WARNING = {
    "compute": "_compute_last_warning_id",
    "compute_sudo": True,
    "groups": MANAGER_GROUP,
}

_logger = logging.getLogger(__name__)


class QlibraContract(models.Model):
    _name = "qlibra.contract"
    _description = "Client Contract"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "partner_id, date_start desc, id desc"
    _check_company_auto = True
    # The chatter carries fees, costs and margins: only managers (who may
    # write the contract) read or post there; employees still read it.
    _mail_post_access = "write"

    name = fields.Char(
        compute="_compute_name",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
        tracking=True,
    )
    # Read-only on screen: the form's Archive button says it ends it today.
    active = fields.Boolean(default=True, tracking=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        index=True,
        tracking=True,
        # A company, or a person who is a client in their own name.
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
        check_company=True,
    )
    contract_type = fields.Selection(
        CONTRACT_TYPES, required=True, default="subscription", tracking=True
    )
    date_start = fields.Date(
        string="Start Date",
        required=True,
        default=lambda self: qlibra_today(self).replace(day=1),
        tracking=True,
    )
    date_end = fields.Date(
        string="End Date", tracking=True, help="Leave empty for an open-ended contract."
    )
    state = fields.Selection(
        [("upcoming", "Upcoming"), ("running", "Running"), ("ended", "Ended")],
        compute="_compute_state",
        search="_search_state",
        help="Whether the contract covers today.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
        help="The currency of the fees and rates, in which the client is "
        "billed; the analysis converts its revenue to the company's currency "
        "at Odoo's rates.",
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    user_id = fields.Many2one(
        "res.users",
        string="Account Manager",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    monthly_fee = fields.Monetary(
        tracking=True,
        groups=ACCOUNTANT_GROUP,
        help="Subscription fee per calendar month, pro rata for partial months.",
    )
    included_hours = fields.Float(
        tracking=True, help="Hours per calendar month covered by the monthly fee."
    )
    overage_rate = fields.Monetary(
        tracking=True,
        groups=ACCOUNTANT_GROUP,
        help="Billed per hour above the included hours of a month. "
        "Zero means the extra hours are absorbed by the firm.",
    )
    rollover_max_hours = fields.Float(
        string="Rollover Cap (Hours)",
        tracking=True,
        help="The most unused included hours one month may carry forward to "
        "the following months. Zero: unused hours do not roll over.",
    )
    rollover_months = fields.Integer(
        tracking=True,
        help="How many following months carried hours stay usable; they are "
        "used oldest first, and expire after that.",
    )
    hourly_rate = fields.Monetary(
        tracking=True,
        groups=ACCOUNTANT_GROUP,
        help="Billed for every hour of an hourly contract, change requests included.",
    )
    target_margin = fields.Float(
        string="Target Margin (%)",
        default=lambda self: self.env.company.qlibra_default_target_margin,
        tracking=True,
        groups=MANAGER_GROUP,
        help="Below this trailing 3-month margin the client is flagged for "
        "renegotiation.",
    )
    project_ids = fields.One2many(
        "project.project", "qlibra_contract_id", string="Projects"
    )
    project_count = fields.Integer(compute="_compute_project_count")
    previous_contract_id = fields.Many2one(
        "qlibra.contract",
        copy=False,
        index="btree_not_null",
        check_company=True,
        help="The contract this one renegotiated. Time logged before this "
        "contract starts stays on the previous one.",
    )
    next_contract_ids = fields.One2many(
        "qlibra.contract", "previous_contract_id", string="Next Contracts"
    )
    renegotiation_note = fields.Text(
        compute="_compute_renegotiation_note",
        help="What becomes of the previous contract's priced tasks once this "
        "renegotiation is saved.",
    )
    note = fields.Html(string="Terms")
    suggested_fee_note = fields.Char(
        compute="_compute_suggested_fee_note",
        groups=MANAGER_GROUP,
        help="Where the monthly fee of a renegotiation comes from.",
    )
    missing_cost_employee_ids = fields.Many2many(
        "hr.employee",
        compute="_compute_missing_cost_employee_ids",
        string="Employees Without Hourly Cost",
        help="Employees who logged time on this contract while they had no "
        "hourly cost: that time counts as free.",
    )
    month_hours = fields.Float(
        string="Hours This Month",
        compute="_compute_month_consumption",
        help="Hours logged on this contract since the first day of the month.",
    )
    consumption_percent = fields.Float(
        string="Consumption (%)",
        compute="_compute_month_consumption",
        help="Hours this month / hours included each month.",
    )
    month_carried_hours = fields.Float(
        string="Carried Hours This Month",
        compute="_compute_month_consumption",
        help="Unused included hours of earlier months still usable this month "
        "(rollover), on top of this month's included hours.",
    )
    projected_hours = fields.Float(
        string="Projected Hours at Month End",
        compute="_compute_month_consumption",
        help="Hours logged before today / working days elapsed before today x "
        "working days in the month, on the company's working calendar.",
    )
    last_warning_id = fields.Many2one("qlibra.warning", **LAST_WARNING)
    last_warning_date = fields.Datetime(string="Last Warning On", **LAST_WARNING)
    last_warning_message = fields.Text(**LAST_WARNING)

    _sql_constraints = [
        (
            "date_check",
            "CHECK (date_end IS NULL OR date_end >= date_start)",
            "The end date of a contract cannot be before its start date.",
        ),
    ]

    @api.depends("previous_contract_id", "contract_type", "currency_id", "date_start")
    def _compute_renegotiation_note(self):
        for contract in self:
            previous = contract.previous_contract_id
            if not previous or contract._origin.id:
                contract.renegotiation_note = False
                continue
            tasks = contract._renegotiation_priced_tasks()
            delivered = tasks.filtered("qlibra_date_done")
            notes = []
            if delivered:
                note = _(
                    "%(count)s delivered fixed-price task(s) stay with "
                    "%(contract)s, with their price, currency and month.",
                    count=len(delivered),
                    contract=previous.display_name,
                )
                notes.append(note)
            if pending := tasks - delivered:
                names = ", ".join(pending.mapped("display_name"))
                mode = contract._renegotiation_price_mode()
                if mode == "keep":
                    note = _(
                        "Open priced tasks move to this contract with their "
                        "prices: %s.",
                        names,
                    )
                elif mode == "convert":
                    note = _(
                        "Open priced tasks move to this contract, their prices "
                        "converted to %(currency)s at the rate of %(date)s: "
                        "%(tasks)s.",
                        currency=contract.currency_id.name,
                        date=contract.date_start,
                        tasks=names,
                    )
                else:
                    note = _(
                        "Open priced tasks lose their fixed price: their time "
                        "is billed under this contract's terms: %s.",
                        names,
                    )
                notes.append(note)
            contract.renegotiation_note = "\n".join(notes) or False

    def _renegotiation_priced_tasks(self):
        """The previous contract's tasks with a fixed price."""
        self.ensure_one()
        Task = self.env["project.task"].sudo().with_context(active_test=False)
        previous = self.previous_contract_id.id
        return Task.search(
            [("qlibra_contract_id", "=", previous), ("qlibra_fixed_price", ">", 0)]
        )

    def _renegotiation_price_mode(self):
        """Open priced tasks keep their price (fixed price to fixed price),
        have it converted (other currency) or cleared (other type)."""
        self.ensure_one()
        if not self._qlibra_rule().fixed_price:
            return "clear"
        if self.currency_id != self.previous_contract_id.currency_id:
            return "convert"
        return "keep"

    def _renegotiation_price_open_tasks(self):
        """Price the open priced tasks as the renegotiation note said and
        return them, to move to the new contract (self: the draft); the
        delivered ones stay (project.task pins them)."""
        self.ensure_one()
        pending = self._renegotiation_priced_tasks().filtered(
            lambda task: not task.qlibra_date_done
        )
        mode = self._renegotiation_price_mode()
        for task in pending:
            price = task.qlibra_fixed_price
            if mode == "clear":
                price = 0.0
            elif mode == "convert":
                currency = self.previous_contract_id.currency_id
                price = currency._convert(
                    price, self.currency_id, self.company_id, self.date_start
                )
            task.qlibra_fixed_price = price
        return pending

    @api.depends("partner_id", "contract_type", "date_start")
    def _compute_name(self):
        for contract in self:
            if contract.name or not contract.partner_id:
                continue
            contract.name = _(
                "%(client)s - %(type)s",
                client=contract.partner_id.name,
                type=contract._qlibra_type_label(),
            )

    def _qlibra_type_label(self):
        """The label of the contract's type, in the context's language."""
        return self._fields["contract_type"].convert_to_export(self.contract_type, self)

    @api.depends("date_start", "date_end", "active")
    @api.depends_context("date")
    def _compute_state(self):
        today = qlibra_today(self)
        for contract in self:
            # Archiving ends a contract, on the archive day included.
            if not contract.active:
                contract.state = "ended"
            elif contract.date_start and contract.date_start > today:
                contract.state = "upcoming"
            elif contract.date_end and contract.date_end < today:
                contract.state = "ended"
            else:
                contract.state = "running"

    def _search_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the contract state."))
        today = qlibra_today(self)
        domains = {
            "upcoming": [("active", "=", True), ("date_start", ">", today)],
            "running": [("active", "=", True), *self._qlibra_running_domain(today)],
            "ended": ["|", ("active", "=", False), ("date_end", "<", today)],
        }
        values = [value] if isinstance(value, str) else list(value or [])
        domain = expression.OR([domains[val] for val in values if val in domains])
        if operator in ("!=", "not in"):
            domain = ["!", *expression.normalize_domain(domain)]
        return domain

    @api.depends("company_id")
    def _compute_currency_id(self):
        # The company's currency by default; a chosen one stays.
        for contract in self:
            company_currency = contract.company_id.currency_id
            contract.currency_id = contract.currency_id or company_currency

    @api.depends("previous_contract_id", "partner_id")
    def _compute_suggested_fee_note(self):
        # Only on the renegotiation being drafted: once saved, the fee is
        # the agreed one, whatever the figures say later.
        for contract in self:
            previous = contract.previous_contract_id
            fee = (
                not contract._origin.id
                and previous
                and previous.partner_id == contract.partner_id
                and previous._qlibra_suggested_fee()
            )
            if not fee:
                contract.suggested_fee_note = False
                continue
            margin = previous.target_margin
            digits = 0 if margin.is_integer() else 2
            contract.suggested_fee_note = _(
                "Suggested: %(fee)s, from the average monthly cost of the last "
                "3 full months and the %(margin)s%% target margin.",
                fee=format_amount(self.env, fee, previous.currency_id),
                margin=formatLang(self.env, margin, digits=digits),
            )

    def _qlibra_suggested_fee(self):
        """The client's suggested fee (as its form and warning show it); 0.0
        without trailing cost or when the client runs another contract."""
        self.ensure_one()
        partner = self.partner_id.with_context(allowed_company_ids=self.company_id.ids)
        figures = partner._qlibra_figures()[partner.id]
        return figures["suggested_fee"] if figures["contract"].id == self.id else 0.0

    @api.depends("project_ids")
    def _compute_project_count(self):
        for contract in self:
            contract.project_count = len(contract.project_ids)

    def _compute_missing_cost_employee_ids(self):
        # Managers and accountants need not be timesheet users.
        lines = self.env["account.analytic.line"].sudo()
        groups = lines._read_group(
            [
                *self.env["hr.employee"]._uncosted_domain(),
                ("qlibra_contract_id", "in", self.ids),
                ("employee_id", "!=", False),
            ],
            ["qlibra_contract_id"],
            ["employee_id:array_agg"],
        )
        employees = {contract.id: ids for contract, ids in groups}
        for contract in self:
            ids = employees.get(contract.id, [])
            contract.missing_cost_employee_ids = self.env["hr.employee"].browse(ids)

    @api.depends_context("date")
    def _compute_month_consumption(self):
        month_figures = self._qlibra_month_figures()
        for contract in self:
            figures = month_figures[contract.id]
            contract.month_hours = figures["hours"]
            contract.month_carried_hours = figures["carried"]
            contract.projected_hours = figures["projected_hours"] or figures["hours"]
            contract.consumption_percent = figures["percent"]

    def _qlibra_rule(self):
        """What the type earns (contract_type.TYPES); none: nothing."""
        return contract_rule(self.contract_type)

    def _compute_last_warning_id(self):
        rows = self.env["qlibra.warning"]._read_group(
            [("contract_id", "in", self.ids)], ["contract_id"], ["id:max"]
        )
        last = {contract.id: warning_id for contract, warning_id in rows}
        for contract in self:
            warning = self.env["qlibra.warning"].browse(last.get(contract.id))
            contract.last_warning_id = warning
            contract.last_warning_date = warning.create_date
            contract.last_warning_message = warning.message

    def _qlibra_month_figures(self, today=None):
        """{contract_id: this month's consumption} (form, warnings, portal). The
        pace counts finished days only, whenever the action runs: hours before
        today / working days before today x working days of the month (company
        calendar, days the contract runs); None until the first one is over."""
        today = today or qlibra_today(self)
        month_start = today.replace(day=1)
        next_month = month_start + relativedelta(months=1)
        Line = self.env["account.analytic.line"].sudo()
        rows = Line._read_group(
            [
                ("qlibra_contract_id", "in", [cid for cid in self.ids if cid]),
                ("project_id", "!=", False),
                ("date", ">=", month_start),
                ("date", "<", next_month),
            ],
            ["qlibra_contract_id", "date:day"],
            ["unit_amount:sum"],
        )
        hours = defaultdict(lambda: [0.0, 0.0])
        for contract, day, amount in rows:
            hours[contract.id][0] += amount
            if day < today:
                hours[contract.id][1] += amount
        span = (month_start, next_month)
        working_days = {
            co: self._qlibra_working_days(co.resource_calendar_id, *span)
            for co in self.company_id
        }
        # Hours carried from earlier months (SPEC, Retainers).
        rollover = self.filtered("rollover_max_hours")
        balances = rollover._qlibra_rollover_balances([month_start])
        result = {}
        for contract in self:
            # Only the days the contract runs: it may start or end this month.
            start, end = contract.date_start or date.min, contract.date_end or date.max
            company_days = working_days.get(contract.company_id) or []
            days = [day for day in company_days if start <= day <= end]
            elapsed = len([day for day in days if day < today])
            total, before = hours[contract.id]
            projected = max(before / elapsed * len(days), total) if elapsed else None
            included = contract._included_hours_in_month(month_start)
            balance = balances.get(contract.id, {}).get(month_start, {})
            result[contract.id] = {
                "hours": total,
                "included": included,
                "carried": balance.get("carried_in", 0.0),
                "percent": consumption_percent(total, included) or 0.0,
                "hours_before": before,
                "elapsed_days": elapsed,
                "working_days": len(days),
                "projected_hours": projected,
            }
        return result

    @api.model
    def _qlibra_working_days(self, calendar, date_from, date_to):
        """Working days in [date_from, date_to) of a calendar, sorted;
        without a calendar, Monday to Friday."""
        if not calendar:
            days = (
                date_from + timedelta(days=n) for n in range((date_to - date_from).days)
            )
            return [day for day in days if day.weekday() < 5]
        tz = timezone(calendar.tz or "UTC")
        intervals = calendar._work_intervals_batch(
            tz.localize(datetime.combine(date_from, time.min)),
            tz.localize(datetime.combine(date_to, time.min)),
        )[False]
        return sorted({start.astimezone(tz).date() for start, _end, _meta in intervals})

    @api.model
    def _cron_raise_warnings(self):
        """Daily: consumption, projection, fixed-price and renegotiation warnings."""
        warnings = self.env["qlibra.warning"]._raise_warnings()
        _logger.info("Client profitability: %s early warnings raised", len(warnings))
        return warnings

    @api.model
    def _cron_extend_months(self):
        """Daily: the contract-month store reaches the month after today's,
        so that readers of a new month (read-only cursors included) find its
        subscriptions' fees stored and have nothing to write."""
        self._qlibra_store_months(until=qlibra_today(self) + relativedelta(months=1))

    @api.model
    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        if operation == "read":
            return "write"
        return super()._get_mail_message_access(res_ids, operation, model_name)

    @api.constrains(*NON_NEGATIVE, "target_margin", "contract_type")
    def _check_amounts(self):
        for contract in self.sudo():
            for fname in NON_NEGATIVE:
                if contract[fname] < 0:
                    field = contract._fields[fname]._description_string(self.env)
                    raise ValidationError(
                        _(
                            "%(field)s cannot be negative on contract %(contract)s.",
                            field=field,
                            contract=contract.display_name,
                        )
                    )
            if contract.rollover_max_hours > 0 and contract.rollover_months < 1:
                raise ValidationError(
                    _(
                        "The contract %(contract)s carries unused hours forward: "
                        "say for how many months (at least 1) they stay usable.",
                        contract=contract.display_name,
                    )
                )
            if not 0 <= contract.target_margin < 100:
                raise ValidationError(
                    _("The target margin must be at least 0% and below 100%.")
                )
            if contract._qlibra_rule().monthly_fee and contract.included_hours <= 0:
                raise ValidationError(
                    _(
                        "The subscription %(contract)s needs the number of hours "
                        "included each month.",
                        contract=contract.display_name,
                    )
                )

    @api.constrains("partner_id", "date_start", "date_end", "project_ids", "active")
    def _check_overlap(self):
        """Two contracts of one client may not cover the same scope (its
        projects, or the whole client without any) at once."""
        # Two contracts saved at once would not see each other: each writes
        # its client's row, so PostgreSQL refuses the second transaction (a
        # serialization failure Odoo retries; the retry sees the first).
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET write_date = write_date WHERE id = ANY(%s)",
                self.partner_id.ids,
            )
        )
        # Archived contracts count: archiving ends a contract, it keeps its
        # dates and its past (SPEC, Lifecycle).
        for contract in self:
            others = self.with_context(active_test=False).search(
                [
                    ("id", "!=", contract.id),
                    ("partner_id", "=", contract.partner_id.id),
                    ("company_id", "=", contract.company_id.id),
                    *self._qlibra_running_domain(
                        contract.date_start, contract.date_end or date.max
                    ),
                ]
            )
            scope = contract._scope_projects()
            for other in others:
                other_scope = other._scope_projects()
                if (not scope and not other_scope) or (scope & other_scope):
                    raise ValidationError(
                        _(
                            "The contracts %(first)s and %(second)s of %(client)s "
                            "cover the same scope over overlapping periods. End "
                            "one before the other starts, or give each its own "
                            "projects.",
                            first=contract.display_name,
                            second=other.display_name,
                            client=contract.partner_id.display_name,
                        )
                    )

    def _scope_projects(self):
        """The projects the contract covers (none: the whole client); a
        renegotiated contract keeps its successor's, else it would turn
        client-wide once its projects move on."""
        self.ensure_one()
        contract, seen = self, self.browse()
        while contract and not contract.project_ids and contract not in seen:
            seen |= contract
            contract = contract.with_context(active_test=False).next_contract_ids[:1]
        return contract.project_ids

    def _month_fraction(self, month):
        """Share of the month of ``month`` the contract runs (its days / the
        month's days): the pro rata of a partial month's fee and hours."""
        self.ensure_one()
        first = month.replace(day=1)
        last = first + relativedelta(months=1, days=-1)
        start = max(first, self.date_start)
        end = min(last, self.date_end or last)
        return max(0.0, ((end - start).days + 1) / ((last - first).days + 1))

    def _qlibra_to_company_currency(self, amount, day, reverse=False):
        """An amount of the contract's currency in the company's (reverse:
        the other way), at the rate of the 1st of ``day``'s month: the
        analysis view's rule (_company_revenue_sql), one rate per month."""
        self.ensure_one()
        source, target = self.currency_id, self.company_id.currency_id
        if reverse:
            source, target = target, source
        if not amount or source == target:
            return amount
        return source._convert(
            amount, target, self.company_id, day.replace(day=1), round=False
        )

    def _fee_in_month(self, month):
        """A subscription's fee for ``month``, pro rata, contract currency."""
        self.ensure_one()
        if not self._qlibra_rule().monthly_fee:
            return 0.0
        return (self.monthly_fee or 0.0) * self._month_fraction(month)

    def _included_hours_in_month(self, month):
        """Hours a subscription includes in ``month``, pro rata like the fee."""
        self.ensure_one()
        if not self._qlibra_rule().monthly_fee:
            return 0.0
        return self.included_hours * self._month_fraction(month)

    def _qlibra_rollover_balances(self, months=None, hours=None):
        """{contract_id: {month: balance}} of subscriptions (SPEC, "Retainers:
        unused hours roll over"): a month's unused included hours (capped) are
        usable in the next rollover_months months, oldest first, before
        overage. Months run to date_end, else to the later of the month after
        today's (the store stays ahead of readers) and the last with time; a
        renegotiation starts with nothing carried. months: first days wanted
        (default all); hours: {contract_id: {month: hours}}, else the store's."""
        contracts = self.filtered(lambda c: c.id and c._qlibra_rule().monthly_fee)
        result = {contract.id: {} for contract in self}
        if not contracts:
            return result
        if hours is None:
            self._qlibra_store_months()
            rows = self.env.execute_query(
                SQL(
                    """SELECT contract_id, date, hours FROM qlibra_contract_month
                        WHERE contract_id = ANY(%s)""",
                    contracts.ids,
                )
            )
            hours = defaultdict(dict)
            for contract_id, month, amount in rows:
                hours[contract_id][month] = amount
        next_month = qlibra_today(self).replace(day=1) + relativedelta(months=1)
        wanted = {month.replace(day=1) for month in months or ()}
        for contract in contracts:
            used_by_month = hours.get(contract.id, {})
            first = contract.date_start.replace(day=1)
            last = max(
                [next_month, *used_by_month, *wanted]
                if not contract.date_end
                else [contract.date_end.replace(day=1), *wanted]
            )
            end = contract.date_end and contract.date_end.replace(day=1)
            cap = contract.rollover_max_hours if contract.rollover_months > 0 else 0.0
            carried = []  # [months still usable, hours], oldest first
            balances = {}
            month = first
            while month <= last:
                if end and month > end:
                    carried = []
                included = contract._included_hours_in_month(month)
                used = used_by_month.get(month, 0.0)
                carried_in = sum(hours_left for _left, hours_left in carried)
                extra = max(0.0, used - included)
                used_carried = min(extra, carried_in)
                to_draw = used_carried
                for bucket in carried:
                    take = min(bucket[1], to_draw)
                    bucket[1] -= take
                    to_draw -= take
                    bucket[0] -= 1
                expired = sum(hours_left for left, hours_left in carried if left <= 0)
                carried = [bucket for bucket in carried if bucket[0] > 0]
                if cap > 0 and (not end or month <= end) and used < included:
                    carried.append(
                        [contract.rollover_months, min(cap, included - used)]
                    )
                balances[month] = {
                    "included": included,
                    "carried_in": carried_in,
                    "used": used,
                    "used_carried": used_carried,
                    "expired": expired,
                    "carried_out": sum(hours_left for _left, hours_left in carried),
                    "overage_hours": extra - used_carried,
                }
                month += relativedelta(months=1)
            if months is not None:
                balances = {m: fig for m, fig in balances.items() if m in wanted}
            result[contract.id] = balances
        return result

    # The contract-month store, one row per subscription and month: its
    # columns after (contract_id, date); money in the contract's currency.
    STORE_COLUMNS = tuple(
        tuple(column.split(":"))
        for column in (
            "fee:numeric included_hours:float8 hours:float8 carried_in:float8 "
            "used_carried:float8 expired:float8 carried_out:float8 "
            "overage_hours:float8 overage:numeric"
        ).split()
    )

    def init(self):
        res = super().init()
        self.env.cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS qlibra_contract_month (
                       contract_id integer NOT NULL
                           REFERENCES qlibra_contract (id) ON DELETE CASCADE,
                       date date NOT NULL,
                       %s,
                       PRIMARY KEY (contract_id, date)
                   )""",
                SQL(", ").join(
                    SQL("%s %s NOT NULL DEFAULT 0", SQL.identifier(name), SQL(kind))
                    for name, kind in self.STORE_COLUMNS
                ),
            )
        )
        return res

    @api.model
    def _qlibra_touch_months(self, pairs=(), lines=(), contracts=()):
        """Mark for the contract-month store: months (contract id, first
        day), lines (their months read once stored, after the change) and
        whole contracts (terms changed). Rewritten at precommit, or earlier
        when something reads the store."""
        cr = self.env.cr
        if self.env.context.get(MODULE_UNINSTALL_FLAG):
            return  # the store goes with the module
        data = cr.precommit.data.get("qlibra.months")
        if data is None:
            data = cr.precommit.data["qlibra.months"] = defaultdict(set)
            env = self.env
            cr.precommit.add(lambda: env["qlibra.contract"]._qlibra_store_months())
        data["pairs"].update((c, m) for c, m in pairs if c)
        data["lines"].update(i for i in lines if isinstance(i, int))
        data["contracts"].update(i for i in contracts if isinstance(i, int))

    @api.model
    def _qlibra_store_months(self, until=None):
        """Rewrite the store rows marked by _qlibra_touch_months(): touched
        months' hours from the lines, others' from the store, then each
        month's fee and balance. Only differing rows are written: two
        transactions changing one month write the same row, so PostgreSQL
        makes the second retry on the first's figures. until: a day; extend
        the subscriptions whose rows stop before its month (or their end's)."""
        cr = self.env.cr
        # First flush: recomputations it runs may touch more months.
        self.env.flush_all()
        data = cr.precommit.data.pop("qlibra.months", None) or defaultdict(set)
        whole = set(data["contracts"])
        pairs = set(data["pairs"])
        if until:
            cr.execute(
                SQL(
                    """SELECT c.id FROM qlibra_contract c
                        WHERE c.contract_type IN %(types)s
                          AND c.date_start <= %(until)s
                          AND NOT EXISTS (
                              SELECT 1 FROM qlibra_contract_month r
                               WHERE r.contract_id = c.id
                                 AND r.date >= date_trunc('month',
                                     LEAST(COALESCE(c.date_end, %(until)s),
                                           %(until)s)))""",
                    until=until,
                    types=tuple(types_with("monthly_fee")),
                )
            )
            whole.update(row[0] for row in cr.fetchall())
        months_of = self.env["account.analytic.line"]._qlibra_subscription_months
        if data["lines"]:
            pairs.update(months_of(SQL("l.id = ANY(%s)", sorted(data["lines"]))))
        if whole:  # every month with time is read from the lines
            pairs.update(
                months_of(SQL("l.qlibra_contract_id = ANY(%s)", sorted(whole)))
            )
        ids = sorted(whole | {c for c, _m in pairs})
        if not ids:
            return
        names = [name for name, _kind in self.STORE_COLUMNS]
        columns = SQL(", ").join(SQL.identifier(name) for name in names)
        pairs = sorted(pairs)
        # One statement (a save's most frequent path): the contracts still
        # there with their stored rows, then the touched months' hours from
        # the lines (on the (contract, date) index).
        rows = self.env.execute_query(
            SQL(
                """SELECT 'stored', c.id, r.date, NULL::float8, %(stored)s
                     FROM qlibra_contract c
                LEFT JOIN qlibra_contract_month r ON r.contract_id = c.id
                    WHERE c.id = ANY(%(ids)s)
                UNION ALL
                   SELECT 'logged', p.c, p.m, COALESCE(SUM(l.unit_amount), 0),
                          %(nulls)s
                     FROM unnest(%(c)s::int[], %(m)s::date[]) AS p(c, m)
                -- only lines on a project have a contract
                LEFT JOIN account_analytic_line l
                       ON l.qlibra_contract_id = p.c
                      AND l.date >= p.m
                      AND l.date < p.m + interval '1 month'
                 GROUP BY p.c, p.m""",
                stored=SQL(", ").join(SQL("r.%s", SQL.identifier(n)) for n in names),
                ids=ids,
                nulls=SQL(", ").join(SQL("NULL") for _name in names),
                c=[pair[0] for pair in pairs],
                m=[pair[1] for pair in pairs],
            )
        )
        existing = {row[1] for row in rows if row[0] == "stored"}
        contracts = self.sudo().with_context(active_test=False).browse(sorted(existing))
        subscriptions = contracts.filtered(lambda c: c._qlibra_rule().monthly_fee)
        # a contract whose terms no longer earn a fee keeps no rows
        others = (contracts - subscriptions).filtered(lambda c: c.id in whole)
        if others:
            cr.execute(
                SQL(
                    "DELETE FROM qlibra_contract_month WHERE contract_id = ANY(%s)",
                    others.ids,
                )
            )
        if not subscriptions:
            return
        before, hours, wanted_ids = {}, defaultdict(dict), set(subscriptions.ids)
        for kind, contract_id, month, logged, *values in rows:
            if contract_id not in wanted_ids or not month:
                continue
            if kind == "logged":
                hours[contract_id][month] = logged
            else:
                before[contract_id, month] = values
                stored = 0.0 if contract_id in whole else values[names.index("hours")]
                hours[contract_id].setdefault(month, stored)
        wanted = {}
        balances = subscriptions._qlibra_rollover_balances(hours=hours)
        for contract in subscriptions:
            for month, figures in balances[contract.id].items():
                wanted[contract.id, month] = (
                    contract._fee_in_month(month),
                    figures["included"],
                    figures["used"],
                    figures["carried_in"],
                    figures["used_carried"],
                    figures["expired"],
                    figures["carried_out"],
                    figures["overage_hours"],
                    figures["overage_hours"] * contract.overage_rate,
                )
        gone = sorted(key for key in before if key not in wanted)
        changed = sorted(
            (*key, *values)
            for key, values in wanted.items()
            if key not in before
            # sums of floats in another order differ by a few ulps
            or any(
                abs(float(old) - new) > 1e-9
                for old, new in zip(before[key], values, strict=True)
            )
        )
        if gone:
            cr.execute(
                SQL(
                    """DELETE FROM qlibra_contract_month
                        WHERE (contract_id, date) IN (
                              SELECT * FROM unnest(%s::int[], %s::date[]))""",
                    [key[0] for key in gone],
                    [key[1] for key in gone],
                )
            )
        if changed:
            cr.execute(
                SQL(
                    """INSERT INTO qlibra_contract_month (contract_id, date, %s)
                       VALUES %s
                       ON CONFLICT (contract_id, date) DO UPDATE SET %s""",
                    columns,
                    SQL(", ").join(SQL("%s", row) for row in changed),
                    SQL(", ").join(
                        SQL("%s = EXCLUDED.%s", SQL.identifier(n), SQL.identifier(n))
                        for n in names
                    ),
                )
            )

    @api.model
    def _qlibra_refill_months(self):
        """Rebuild the whole store (installation, migration, bulk load)."""
        rows = self.env.execute_query(
            SQL(
                "SELECT id FROM qlibra_contract WHERE contract_type IN %s",
                tuple(types_with("monthly_fee")),
            )
        )
        self._qlibra_touch_months(contracts=[row[0] for row in rows])
        self._qlibra_store_months()

    @api.model
    def _qlibra_running_domain(self, date_from, date_to=None):
        """Contracts running on some day of date_from..date_to (default:
        date_from); _is_valid_on() for one record. Archived ones ran too:
        search with active_test=False to count them."""
        return [
            ("date_start", "<=", date_to or date_from),
            "|",
            ("date_end", "=", False),
            ("date_end", ">=", date_from),
        ]

    def _is_valid_on(self, date_from, date_to=None):
        """See _qlibra_running_domain()."""
        self.ensure_one()
        return self.date_start <= (date_to or date_from) and (
            not self.date_end or date_from <= self.date_end
        )

    @api.model_create_multi
    def create(self, vals_list):
        pending_tasks = []
        for vals in vals_list:
            previous_id = vals.get("previous_contract_id")
            pending = previous_id and self.new(vals)._renegotiation_price_open_tasks()
            pending_tasks.append(pending)
            if previous_id and vals.get("date_start"):
                previous = self.browse(previous_id)
                previous._end_before(fields.Date.to_date(vals["date_start"]))
                # The successor takes over the projects in the same create,
                # so the overlap check sees its real scope, not the client.
                if "project_ids" not in vals and previous.project_ids:
                    vals["project_ids"] = [Command.set(previous.project_ids.ids)]
        contracts = super().create(vals_list)
        for contract, pending in zip(contracts, pending_tasks, strict=True):
            if contract.previous_contract_id:
                contract.previous_contract_id.project_ids.qlibra_contract_id = contract
                if pending:
                    pending.qlibra_contract_id = contract
        contracts._recompute_timesheet_contracts()
        self._qlibra_touch_months(contracts=contracts.ids)
        return contracts

    def write(self, vals):
        fixed = {"contract_type", "currency_id"} & set(vals)
        if self.env.context.get("qlibra_follow_company_currency"):
            fixed.discard("currency_id")
        for fname in sorted(fixed):
            self._check_terms_change(fname, vals[fname])
        if "active" in vals and not vals["active"]:
            # Archiving ends the contract on the archive day.
            today = qlibra_today(self)
            if upcoming := self.filtered(lambda c: c.date_start > today):
                raise UserError(
                    _(
                        "%s has not started yet: archiving would end it before its "
                        "start. Delete it, or change its dates.",
                        ", ".join(upcoming.mapped("display_name")),
                    )
                )
            running = self.filtered(lambda c: not c.date_end or c.date_end > today)
            if running:
                running.write({"date_end": today})
        res = super().write(vals)
        if RESOLUTION_TERMS & set(vals):
            self._recompute_timesheet_contracts()
        if STORE_TERMS & set(vals):
            self._qlibra_touch_months(contracts=self.ids)
        return res

    def _check_terms_change(self, fname, value):
        """A contract's type and currency are fixed once it has logged time
        or priced tasks: its past was earned under them."""
        field = self._fields[fname]
        value = field.convert_to_cache(value, self)
        changed = self.filtered(lambda c: field.convert_to_cache(c[fname], c) != value)
        if not changed:
            return
        domain = [("qlibra_contract_id", "in", changed.ids)]
        Task = self.env["project.task"].sudo().with_context(active_test=False)
        used = self.env["account.analytic.line"].sudo().search_count(
            domain, limit=1
        ) or Task.search_count([*domain, ("qlibra_fixed_price", "!=", 0)], limit=1)
        if used:
            raise UserError(
                _(
                    "The currency of a contract that has logged time or priced "
                    "tasks cannot change: renegotiate it instead, so that a new "
                    "contract takes over from a date and the past keeps its terms."
                )
                if fname == "currency_id"
                else _(
                    "The type of a contract that has logged time or priced tasks "
                    "cannot change: renegotiate it instead, so that a new contract "
                    "takes over from a date and the past keeps its terms."
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_logged_time(self):
        Line = self.env["account.analytic.line"].sudo()
        if Line.search_count([("qlibra_contract_id", "in", self.ids)], limit=1):
            raise UserError(
                _(
                    "Time was logged under this contract: archive it instead of "
                    "deleting it, so that its history stays in the analysis."
                )
            )

    def unlink(self):
        partners, projects = self.partner_id, self.project_ids
        res = super().unlink()
        self.env["qlibra.contract"]._recompute_timesheet_contracts(partners, projects)
        return res

    def _end_before(self, day):
        """End this contract the day before its renegotiated successor starts."""
        self.ensure_one()
        day_before = day - relativedelta(days=1)
        if self.date_start > day_before:
            raise ValidationError(
                _(
                    "The renegotiated contract must start after the previous "
                    "contract %(contract)s starts.",
                    contract=self.display_name,
                )
            )
        if not self.date_end or self.date_end > day_before:
            self.date_end = day_before

    def _recompute_timesheet_contracts(self, partners=None, projects=None):
        """Re-resolve the contract of the timesheet lines this change touches."""
        partners = (partners or self.env["res.partner"]) | self.partner_id
        projects = (projects or self.env["project.project"]) | self.project_ids
        if not partners and not projects:
            return
        Line = self.env["account.analytic.line"].sudo()
        scope = [
            ("qlibra_client_id", "in", partners.ids),
            ("project_id", "in", projects.ids),
        ]
        lines = Line.search([("project_id", "!=", False), "|", *scope])
        lines._qlibra_recompute_contract()
        Line._qlibra_recheck_after_commit(partners.ids, projects.ids)

    def action_renegotiate(self):
        """Open a new contract that takes over from this one."""
        self.ensure_one()
        msg = _(
            "Only client profitability managers can renegotiate a "
            "contract. Ask a client profitability manager to do it."
        )
        check_manager(self.env, msg)
        today = qlibra_today(self)
        start = max(today.replace(day=1) + relativedelta(months=1), self.date_start)
        # The new fee starts from the suggested one (client form, warning).
        fee = self._qlibra_suggested_fee() or self.sudo().monthly_fee
        # Same terms (money ones read in sudo) and the same people.
        terms = ("included_hours", "overage_rate", "hourly_rate", "target_margin")
        relations = ("partner_id", "user_id", "company_id", "currency_id")
        return {
            "type": "ir.actions.act_window",
            "name": _("Renegotiate %s", self.display_name),
            "res_model": "qlibra.contract",
            "view_mode": "form",
            "target": "current",
            "context": {
                **{f"default_{fname}": self.sudo()[fname] for fname in terms},
                **{f"default_{fname}": self[fname].id for fname in relations},
                "default_previous_contract_id": self.id,
                "default_contract_type": self.contract_type,
                "default_date_start": fields.Date.to_string(start),
                "default_date_end": self.date_end
                and self.date_end > start
                and fields.Date.to_string(self.date_end),
                "default_monthly_fee": fee,
                # The projects go over with the contract: shown on the draft.
                "default_project_ids": [Command.set(self.project_ids.ids)],
            },
        }

    @api.model
    def _qlibra_window_action(self, xmlid, domain, **values):
        """The window action of xmlid on domain, with values (context...)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action.update(domain=domain, **values)
        return action

    def action_view_timesheets(self):
        self.ensure_one()
        return self._qlibra_window_action(
            "hr_timesheet.timesheet_action_all",
            [("qlibra_contract_id", "=", self.id)],
            context={"create": False},
            display_name=_("Timesheets of %s", self.display_name),
        )

    def action_view_profitability(self):
        self.ensure_one()
        return self._qlibra_window_action(
            "qlibra_task.qlibra_profitability_report_action",
            [("contract_id", "=", self.id)],
            context={"search_default_filter_last_12_months": 0},
        )

    def action_view_projects(self):
        self.ensure_one()
        return self._qlibra_window_action(
            "project.open_view_project_all",
            [("qlibra_contract_id", "=", self.id)],
            context={
                "default_qlibra_contract_id": self.id,
                "default_partner_id": self.partner_id.id,
            },
        )
