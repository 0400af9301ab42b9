# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""An oracle of SPEC's figures, and property tests against it (issue 14).

The oracle (``Oracle``) is a second, plain implementation of SPEC's rules
(sections Rules and Lifecycle), written from the raw facts only: the
contracts, the projects' contracts, the tasks and the timesheet lines as the
operations of a test left them. It shares no code with the add-on: it never
calls a method of it, reads none of its computed fields, and counts money in
exact fractions and decimals (cents rounded half up) rather than floats.

The property tests draw random sequences of operations (contracts created,
renegotiated, archived and corrected, time logged, edited, moved and
deleted, costs changed, fixed-price tasks priced, done and reopened), run
them on Odoo and on the oracle side by side, then compare every figure per
client, contract and month: the analysis view, each line's contract and
cost, the contract form's consumption, the client form's figures (this
month, the trailing window, the renegotiation flag and the suggested fee)
and the client statement. Where the add-on has a known bug, the operation or
the figure concerned is left out, with a comment saying why (KNOWN ADD-ON
BUG). "Today" is frozen to FROZEN_TODAY for
the whole class, so the current month, the done day and the archive day are
deterministic. Each example runs in a savepoint rolled back at its end.

Issue 21 adds the boundaries between clients and companies
(test_property_clients_and_companies, test_property_project_client): time
logged for a contact that then moves to another client, projects given
another client by a manager or tried by a Project administrator who is not
one, and a second company with its own client, employee and overhead rate,
beside a client of no company that both companies serve (one of its
projects has no company: its lines are in their employee's company). The
analysis is compared per company, and the statement as printed in each
company and in both.

Hypothesis's st.one_of keeps each strategy once: naming one twice in it
does not draw it more often; weighted() does.
"""

import logging
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import freezegun
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import QlibraCase

_logger = logging.getLogger(__name__)

FROZEN_TODAY = date(2025, 5, 20)
YEAR_START = date(2025, 1, 1)
STATEMENT_MODEL = "report.qlibra_task_reports.report_client_statement"
FIGURES = ("hours", "change_request_hours", "cost", "revenue")
# The rate of the other currency (units for one unit of the company's) on
# the first day of each month of 2025: revenue of a contract in it counts
# 1 / rate times in the company's currency (x1, x2, x4: exact in cents).
FOREIGN_RATES = {
    date(2025, number, 1): Fraction(rate)
    for number, rate in zip(range(1, 13), ["1", "0.5", "0.25"] * 4, strict=True)
}
HOURS_TOLERANCE = 1e-6
# Multiplies the number of examples of each property test (e.g. 10 for a
# long run): QLIBRA_ORACLE_SCALE=10.
EXAMPLES_SCALE = float(os.environ.get("QLIBRA_ORACLE_SCALE") or 1)


# ----------------------------------------------------------------------
# The oracle: SPEC's rules, written plainly
# ----------------------------------------------------------------------
def cents(value):
    """Money of one record: rounded to the cent, half up (Decimal in)."""
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def first_day(day):
    return day.replace(day=1)


def last_day(day):
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def months_from_to(first, last):
    """First days of the months from the month of first to that of last."""
    months = []
    month = first_day(first)
    while month <= last:
        months.append(month)
        month = last_day(month) + timedelta(days=1)
    return months


@dataclass
class OracleContract:
    client: int
    kind: str
    start: date
    end: date | None = None
    fee: int = 0
    included: int = 0
    overage: int = 0
    rate: int = 0
    previous: int | None = None
    active: bool = True
    # Billed in the other currency (FOREIGN_RATES), not the company's.
    foreign: bool = False
    # Whether the contract ever had projects: its scope, as the overlap
    # rule sees it, may then differ from what plain SPEC says (see
    # Oracle.expect_contract).
    ever_scoped: bool = False
    # Its company (None: the oracle's main company).
    company: int | None = None

    def runs_on(self, day):
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, start, end):
        return self.start <= (end or date.max) and start <= (self.end or date.max)

    def share_of(self, month):
        """Days the contract runs in the month / days of the month."""
        first, last = first_day(month), last_day(month)
        start = max(first, self.start)
        end = min(last, self.end or last)
        if end < start:
            return Fraction(0)
        return Fraction((end - start).days + 1, (last - first).days + 1)


@dataclass
class OracleTask:
    project: int
    price: int | Fraction = 0
    done_on: date | None = None
    change_request: bool = False
    # The contract a delivered job stays with once its project moves on.
    pinned: int | None = None
    # The task's customer: its project's client when it was created; it
    # stays when the task moves to another project.
    client: int | None = None


@dataclass
class OracleLine:
    project: int
    task: int | None
    employee: int
    day: date
    hours: Decimal
    own_mark: bool
    hourly_cost: Decimal
    overhead: Decimal
    # The client the line was logged for: its task's customer, else its
    # project's client (SPEC, Rules: a line belongs to that client).
    client: int | None = None
    # Its company: the task's or project's, else its employee's.
    company: int | None = None
    # The contact it was logged for, until Timesheets sets its customer anew.
    contact: int | None = None


class Oracle:
    """The figures SPEC gives for a set of contracts, tasks and lines.

    Records are keyed by their Odoo ids, so that both sides can be compared;
    nothing else is read from Odoo.
    """

    def __init__(
        self,
        today,
        overhead,
        costs,
        project_clients,
        task_projects,
        companies=None,
        contacts=(),
    ):
        """companies: {"main": id, "projects": {project: company or None},
        "employees": {employee: company}, "overheads": {company: rate of a
        company other than the main one}}; contacts: (contact, parent)."""
        companies = companies or {}
        self.today = today
        self.company = companies.get("main")
        # the main company's overhead rate; other companies' in overheads
        self.overhead = Decimal(str(overhead))
        self.overheads = {
            company: Decimal(str(rate))
            for company, rate in companies.get("overheads", {}).items()
        }
        self.project_company = dict(companies.get("projects", {}))
        self.employee_company = dict(companies.get("employees", {}))
        self.contact_parent = dict(contacts)
        self.costs = {emp: Decimal(str(cost)) for emp, cost in costs.items()}
        self.project_client = dict(project_clients)
        self.project_contract = dict.fromkeys(self.project_client)
        self.tasks = {
            task: OracleTask(project, client=self.project_client[project])
            for task, project in task_projects
        }
        self.contracts = {}
        self.lines = {}

    # --- what the operations do -----------------------------------------
    def add_contract(self, cid, contract, projects=()):
        if contract.company is None:
            contract.company = self.company
        self.contracts[cid] = contract
        for project in projects:
            self.project_contract[project] = cid
            contract.ever_scoped = True

    def renegotiate(self, cid, contract):
        """The previous contract ends the day before; its projects follow.
        Its delivered fixed-price jobs stay with it; its open priced tasks
        keep their price under a fixed price in the same currency, have it
        converted at the rate of the new start into another currency, and
        lose it under another type (SPEC, Rules)."""
        previous = self.contracts[contract.previous]
        # A renegotiation stays in the company of the contract it renegotiates.
        contract.company = previous.company
        for task_id, task in self.tasks.items():
            if self.task_contract(task_id) != contract.previous or not task.price:
                continue
            if task.done_on and previous.kind == "fixed_price":
                task.pinned = contract.previous
            elif contract.kind != "fixed_price":
                task.price = 0
            elif contract.foreign != previous.foreign:
                rate = FOREIGN_RATES[first_day(contract.start)]
                price = task.price * rate if contract.foreign else task.price / rate
                exact = Decimal(price.numerator) / Decimal(price.denominator)
                task.price = Fraction(cents(exact))
        day_before = contract.start - timedelta(days=1)
        if previous.end is None or previous.end > day_before:
            previous.end = day_before
        self.contracts[cid] = contract
        for project, current in self.project_contract.items():
            if current == contract.previous:
                self.project_contract[project] = cid
                contract.ever_scoped = True

    def archive(self, cid):
        """Archiving ends the contract on the archive day (SPEC, Lifecycle)."""
        contract = self.contracts[cid]
        contract.active = False
        if contract.end is None or contract.end > self.today:
            contract.end = self.today

    def log(self, lid, project, task, employee, day, hours, mark, contact=None):
        """Cost rates as they are when the line is logged, those of the
        line's company. contact: the line is logged for this contact; its
        client is the contact's company now, and stays it when the contact
        moves on (SPEC, Rules)."""
        company = (
            self.project_company.get(project)
            or self.employee_company.get(employee)
            or self.company
        )
        self.lines[lid] = OracleLine(
            project=project,
            task=task,
            employee=employee,
            day=day,
            hours=Decimal(str(hours)),
            own_mark=mark,
            hourly_cost=self.costs[employee],
            overhead=self.overheads.get(company, self.overhead),
            client=(
                self.contact_parent[contact]
                if contact is not None
                else self.logged_client(project, task)
            ),
            company=company,
            contact=contact,
        )

    def move_contact(self, contact, client):
        """A contact moves to another company: its past lines stay where
        they were logged; nothing else changes."""
        self.contact_parent[contact] = client

    def change_project_client(self, project, client):
        """A manager gives a project another client. The project keeps its
        contract, and so do its tasks (a delivered job too); its lines are
        logged anew for the line's customer in Timesheets: the task's
        customer (which stays), else the project's new client. So its time
        without a task follows the new client; its time on a task stays
        with the task's customer."""
        self.project_client[project] = client
        for line in self.lines.values():
            if line.project == project:
                line.client = self.logged_client(project, line.task)
                line.contact = None

    def expect_client_change(self, project, client):
        """What SPEC says of a non-manager giving a project another client:
        refused when some of its time would move to or from a contract (its
        revenue moves: a manager's act), else accepted."""
        lines = {
            lid: line for lid, line in self.lines.items() if line.project == project
        }
        before = {lid: self.contract_of(line) for lid, line in lines.items()}
        saved = (
            self.project_client[project],
            [(line, line.client, line.contact) for line in lines.values()],
        )
        self.change_project_client(project, client)
        after = {lid: self.contract_of(line) for lid, line in lines.items()}
        self.project_client[project] = saved[0]
        for line, line_client, contact in saved[1]:
            line.client, line.contact = line_client, contact
        return before == after

    def logged_client(self, project, task):
        """The client a line of project and task is logged for: its task's
        customer, else its project's (Timesheets' partner of a line)."""
        if task is not None and self.tasks[task].client is not None:
            return self.tasks[task].client
        return self.project_client[project]

    def move_line(self, lid, project, task):
        """A line moved to another project or task is logged anew there."""
        line = self.lines[lid]
        line.project, line.task = project, task
        line.client = self.logged_client(project, task)
        line.contact = None
        line.company = self.project_company.get(project) or line.company

    def move_task(self, task_id, project, customer):
        """A task moved to another project takes its lines along, with its
        customer (Odoo's: Timesheets keeps it, Sales may change it), and
        takes the new project's contract unless it is a delivered job (SPEC,
        Rules)."""
        task = self.tasks[task_id]
        cid = self.task_contract(task_id)
        if (
            task.pinned is None
            and cid is not None
            and task.done_on
            and task.price
            and self.contracts[cid].kind == "fixed_price"
        ):
            task.pinned = cid
        task.project = project
        task.client = customer
        for line in self.lines.values():
            if line.task == task_id:
                line.project = project
                line.client = self.logged_client(project, task_id)
                line.contact = None

    def move_task_allowed(self, task_id, project):
        """A priced task may only sit under a fixed-price contract."""
        task = self.tasks[task_id]
        if not task.price or task.pinned is not None:
            return True
        if task.done_on:
            cid = self.task_contract(task_id)
            if cid is not None and self.contracts[cid].kind == "fixed_price":
                return True
        new = self.project_contract[project]
        return new is not None and self.contracts[new].kind == "fixed_price"

    def correct_employee(self, lid, employee):
        """A correction takes the employee's current cost."""
        line = self.lines[lid]
        line.employee = employee
        line.hourly_cost = self.costs[employee]

    # --- expectations on bad input (only where SPEC is unambiguous) ------
    def overlapping(self, client, start, end, exclude=(), company=None):
        """Ids of the client's contracts of the company (None: the main
        one) overlapping start..end in time. Contracts of other companies
        cover other lines: they never overlap."""
        company = company or self.company
        return [
            cid
            for cid, contract in self.contracts.items()
            if cid not in exclude
            and contract.client == client
            and contract.company == company
            and contract.overlaps(start, end)
        ]

    def expect_contract(self, client, start, end, scoped, exclude=(), company=None):
        """True: must be accepted; False: must be refused; None: unsure.

        A contract overlapping no other contract of its client is valid. A
        client-wide contract overlapping another one that never had projects
        covers the same scope: invalid. A contract that had projects and lost
        them (renegotiated) keeps its scope in SPEC's reading but not
        necessarily in the add-on's: no expectation then.
        """
        others = self.overlapping(client, start, end, exclude, company)
        if not others:
            return True
        if not scoped and any(not self.contracts[cid].ever_scoped for cid in others):
            return False
        return None

    # --- SPEC, Rules: which contract a line belongs to ---------------------
    def valid_in_chain(self, cid, day, company):
        """The contract, or the one it renegotiated (and so on), valid on day
        and of the company."""
        seen = set()
        while cid is not None and cid not in seen:
            contract = self.contracts[cid]
            if contract.runs_on(day) and contract.company == company:
                return cid
            seen.add(cid)
            cid = self.contracts[cid].previous
        return None

    def task_contract(self, task):
        """A task's contract is its project's, but for a delivered job."""
        if self.tasks[task].pinned is not None:
            return self.tasks[task].pinned
        return self.project_contract[self.tasks[task].project]

    def contract_of(self, line):
        """The task's contract, else the project's, else the client's
        contract for the whole client (one that never had projects) valid on
        the line's date (archived ones included); each of the line's own
        company only (SPEC, Access: multi-company)."""
        cid = None
        company = line.company or self.company
        if line.task is not None:
            cid = self.valid_in_chain(self.task_contract(line.task), line.day, company)
        if cid is None:
            cid = self.valid_in_chain(
                self.project_contract[line.project], line.day, company
            )
        if cid is None:
            client = line.client
            valid = [
                key
                for key, contract in self.contracts.items()
                if contract.client == client
                and contract.company == company
                and contract.runs_on(line.day)
                and not contract.ever_scoped
            ]
            if len(valid) == 1:
                cid = valid[0]
        return cid

    def client_of(self, line, cid):
        if cid is not None:
            return self.contracts[cid].client
        return line.client

    def is_change_request(self, line):
        return line.own_mark or (
            line.task is not None and self.tasks[line.task].change_request
        )

    # --- SPEC, Rules: cost and revenue -------------------------------------
    @staticmethod
    def line_cost(line):
        return cents(line.hours * line.hourly_cost * (1 + line.overhead / 100))

    def line_revenue(self, line, cid):
        if cid is not None and self.contracts[cid].kind == "hourly":
            return cents(line.hours * self.contracts[cid].rate)
        return Decimal(0)

    def to_company(self, cid, amount, month):
        """An amount of contract cid's currency in the company's, at the
        rate of the month's first day."""
        if cid is not None and self.contracts[cid].foreign:
            return amount / FOREIGN_RATES[first_day(month)]
        return amount

    def resolved_lines(self):
        """(line id, line, contract id, client) of every line."""
        for lid, line in self.lines.items():
            cid = self.contract_of(line)
            yield lid, line, cid, self.client_of(line, cid)

    def month_hours(self):
        """{(contract id, month): hours}."""
        hours = defaultdict(Fraction)
        for _lid, line, cid, _client in self.resolved_lines():
            if cid is not None:
                hours[(cid, first_day(line.day))] += Fraction(line.hours)
        return hours

    def fee(self, cid, month):
        """The monthly fee pro rata by days, for the months up to today's."""
        contract = self.contracts[cid]
        if contract.kind != "subscription" or month > first_day(self.today):
            return Fraction(0)
        return contract.fee * contract.share_of(month)

    def included(self, cid, month):
        contract = self.contracts[cid]
        if contract.kind != "subscription":
            return Fraction(0)
        return contract.included * contract.share_of(month)

    def overage(self, cid, month, hours):
        """Hours above the month's included hours x the overage rate."""
        contract = self.contracts[cid]
        if contract.kind != "subscription":
            return Fraction(0)
        extra = hours - self.included(cid, month)
        return extra * contract.overage if extra > 0 else Fraction(0)

    def fee_months(self, cid):
        """The months the contract runs, up to the current month."""
        contract = self.contracts[cid]
        current = first_day(self.today)
        last = min(first_day(contract.end), current) if contract.end else current
        return months_from_to(contract.start, last)

    def recognised(self):
        """(task id, contract id, price, done day) of recognised fixed prices."""
        for task_id, task in self.tasks.items():
            cid = self.task_contract(task_id)
            if (
                cid is not None
                and self.contracts[cid].kind == "fixed_price"
                and task.done_on
                and task.price > 0
            ):
                yield task_id, cid, task.price, task.done_on

    def analysis(self, by_company=False):
        """{(client, contract id or None, month): {figure: Fraction}}:
        revenue in the company's currency, contract_revenue in the
        contract's. by_company: keyed (company, client, contract id or
        None, month); time counts in its line's company, a contract's
        revenue in the contract's."""
        figures = defaultdict(lambda: dict.fromkeys(FIGURES, Fraction(0)))
        for _lid, line, cid, client in self.resolved_lines():
            company = line.company or self.company
            row = figures[(company, client, cid, first_day(line.day))]
            row["hours"] += Fraction(line.hours)
            if self.is_change_request(line):
                row["change_request_hours"] += Fraction(line.hours)
            row["cost"] += Fraction(self.line_cost(line))
            row["revenue"] += Fraction(self.line_revenue(line, cid))
        for (cid, month), hours in self.month_hours().items():
            contract = self.contracts[cid]
            key = (contract.company, contract.client, cid, month)
            figures[key]["revenue"] += self.overage(cid, month, hours)
        for cid, contract in self.contracts.items():
            if contract.kind == "subscription":
                for month in self.fee_months(cid):
                    key = (contract.company, contract.client, cid, month)
                    figures[key]["revenue"] += self.fee(cid, month)
        for _task, cid, price, done_on in self.recognised():
            contract = self.contracts[cid]
            key = (contract.company, contract.client, cid, first_day(done_on))
            figures[key]["revenue"] += price
        for (_company, _client, cid, month), row in figures.items():
            row["contract_revenue"] = row["revenue"]
            row["revenue"] = self.to_company(cid, row["revenue"], month)
        if by_company:
            return figures
        merged = defaultdict(
            lambda: dict.fromkeys((*FIGURES, "contract_revenue"), Fraction(0))
        )
        for (_company, *key), row in figures.items():
            for fname, value in row.items():
                merged[tuple(key)][fname] += value
        return merged

    def consumption(self, cid):
        """Hours of today's month / included hours of today's month, in %."""
        month = first_day(self.today)
        included = self.included(cid, month)
        if not included:
            return Fraction(0)
        return self.month_hours().get((cid, month), Fraction(0)) / included * 100

    def client_figures(self, client):
        """A client's figures on its form: this month's (today's month) and
        the trailing window's (the 3 full months before it)."""
        current = first_day(self.today)
        window = []
        month = current
        for _count in range(3):
            month = first_day(month - timedelta(days=1))
            window.insert(0, month)
        figures = {
            f"{period}_{fname}": Fraction(0)
            for period in ("month", "trailing")
            for fname in FIGURES
        }
        for (row_client, _cid, month), row in self.analysis().items():
            if row_client != client:
                continue
            if month == current:
                period = "month"
            elif month in window:
                period = "trailing"
            else:
                continue
            for fname in FIGURES:
                figures[f"{period}_{fname}"] += row[fname]
        subscriptions = [
            cid
            for cid, contract in self.contracts.items()
            if contract.client == client and contract.kind == "subscription"
        ]
        included = sum(self.included(cid, current) for cid in subscriptions)
        hours = self.month_hours()
        used = sum(hours.get((cid, current), Fraction(0)) for cid in subscriptions)
        for period in ("month", "trailing"):
            figures[f"{period}_margin"] = (
                figures[f"{period}_revenue"] - figures[f"{period}_cost"]
            )
        return {
            **figures,
            "consumption": used / included * 100 if included else Fraction(0),
            "change_request_share": (
                figures["trailing_change_request_hours"]
                / figures["trailing_hours"]
                * 100
                if figures["trailing_hours"]
                else Fraction(0)
            ),
            # the months of the window in which the client had a contract
            "contract_months": len(
                [
                    month
                    for month in window
                    if any(
                        c.client == client and c.share_of(month)
                        for c in self.contracts.values()
                    )
                ]
            ),
            "running": [
                contract
                for contract in self.contracts.values()
                if contract.client == client
                and contract.active
                and contract.runs_on(self.today)
            ],
        }

    def statement(self, client, date_from, date_to, companies=None):
        """{contract id or None: {"hours", "amount", "months"}} of a client
        for whole months; "months" (subscriptions): {month: {...}}.
        companies: only the lines and contracts of these (None: all)."""
        sections = defaultdict(
            lambda: {"hours": Fraction(0), "amount": Fraction(0), "months": {}}
        )

        def of_companies(company):
            return companies is None or (company or self.company) in companies

        hourly = defaultdict(Fraction)
        for _lid, line, cid, line_client in self.resolved_lines():
            if (
                line_client == client
                and date_from <= line.day <= date_to
                and of_companies(line.company)
            ):
                sections[cid]["hours"] += Fraction(line.hours)
                hourly[cid] += Fraction(self.line_revenue(line, cid))
        month_hours = self.month_hours()
        for cid, contract in self.contracts.items():
            if contract.client != client or not of_companies(contract.company):
                continue
            if contract.kind == "subscription":
                for month in months_from_to(date_from, date_to):
                    if not contract.share_of(month):
                        continue
                    used = month_hours.get((cid, month), Fraction(0))
                    included = self.included(cid, month)
                    values = {
                        "included_hours": included,
                        "used_hours": used,
                        "extra_hours": max(used - included, Fraction(0)),
                        "fee": self.fee(cid, month),
                        "overage_amount": self.overage(cid, month, used),
                    }
                    sections[cid]["months"][month] = values
                    sections[cid]["amount"] += values["fee"]
                    sections[cid]["amount"] += values["overage_amount"]
            elif contract.kind == "hourly" and cid in hourly:
                sections[cid]["amount"] += hourly[cid]
        for _task, cid, price, done_on in self.recognised():
            contract = self.contracts[cid]
            if (
                contract.client == client
                and of_companies(contract.company)
                and date_from <= done_on <= date_to
            ):
                sections[cid]["amount"] += price
        return sections


# ----------------------------------------------------------------------
# Operations, as hypothesis draws them
# ----------------------------------------------------------------------
MONTH_EDGES = [
    day
    for number in range(1, 7)
    for day in (date(2025, number, 1), last_day(date(2025, number, 1)))
]
LINE_DAY = st.one_of(
    st.integers(0, 180).map(lambda n: YEAR_START + timedelta(days=n)),
    st.sampled_from(MONTH_EDGES),
)
CONTRACT_START = st.one_of(
    st.sampled_from([date(2025, number, 1) for number in range(1, 8)]),
    st.integers(0, 211).map(lambda n: YEAR_START + timedelta(days=n)),
)
LENGTH = st.one_of(st.none(), st.integers(0, 200))
QUARTERS = st.integers(1, 40).map(lambda quarters: quarters / 4)
PICK = st.integers(0, 99)
CLIENT = st.integers(0, 2)
TASK = st.integers(0, 11)
EMPLOYEE = st.integers(0, 2)
TERMS = {
    "fee": st.integers(2, 60).map(lambda n: n * 50),
    "included": st.integers(1, 40),
    "overage": st.sampled_from([0, 0, 25, 60, 100]),
    "rate": st.integers(20, 150),
}
KINDS = ["subscription", "hourly", "fixed_price", "non_billable"]


def _op(name, **fields):
    return st.fixed_dictionaries({"op": st.just(name), **fields})


def weighted(*strategies):
    """One of the strategies, one named twice drawn twice as often
    (st.one_of keeps each strategy once, whatever its count)."""
    return st.sampled_from(strategies).flatmap(lambda strategy: strategy)


OP_CONTRACT = _op(
    "contract",
    client=CLIENT,
    kind=st.sampled_from(KINDS),
    foreign=st.sampled_from([False, False, True]),
    start=CONTRACT_START,
    length=LENGTH,
    # a project of the client (when it has no contract yet), or the client
    scope=st.sampled_from([None, 0, 1]),
    **TERMS,
)
LOG_FIELDS = {
    "client": CLIENT,
    "project": st.integers(0, 1),
    "task": st.sampled_from([None, 0, 1]),
    "employee": EMPLOYEE,
    "day": LINE_DAY,
    "hours": QUARTERS,
    "mark": st.booleans(),
}
OP_LOG = _op("log", **LOG_FIELDS)
OP_EDIT_HOURS = _op("edit_hours", line=PICK, hours=QUARTERS)
OP_MOVE = _op(
    "move",
    line=PICK,
    client=CLIENT,
    project=st.integers(0, 1),
    task=st.sampled_from([None, 0, 1]),
)
OP_REDATE = _op("redate", line=PICK, day=LINE_DAY)
OP_DELETE = _op("delete", line=PICK)
OP_CORRECT_EMPLOYEE = _op("correct_employee", line=PICK, employee=EMPLOYEE)
OP_EMPLOYEE_COST = _op(
    "employee_cost",
    employee=EMPLOYEE,
    cost=st.sampled_from([0, 15, 32, 45.5, 80]),
)
OP_OVERHEAD = _op("overhead", rate=st.sampled_from([0, 10, 20, 35]))
OP_RENEGOTIATE = _op(
    "renegotiate",
    contract=PICK,
    # any type to any type, in the same or the other currency
    kind=st.sampled_from(KINDS),
    foreign=st.sampled_from([None, None, True, False]),
    start=CONTRACT_START,
    length=LENGTH,
    **TERMS,
)
OP_ARCHIVE = _op("archive", contract=PICK)
OP_CORRECT_DATES = _op(
    "correct_dates", contract=PICK, start=CONTRACT_START, length=LENGTH
)
# anywhere: any of the tasks; else, preferably one of a fixed-price contract
ANYWHERE = st.sampled_from([False, False, False, True])
OP_PRICE = _op(
    "price",
    task=TASK,
    anywhere=ANYWHERE,
    price=st.integers(1, 40).map(lambda n: n * 100),
)
OP_DONE = _op("done", task=TASK, anywhere=ANYWHERE, day=LINE_DAY)
OP_DONE_TODAY = _op("done_today", task=TASK, anywhere=ANYWHERE)
OP_REOPEN = _op("reopen", task=TASK, anywhere=ANYWHERE)
OP_TASK_MARK = _op("task_mark", task=TASK, flag=st.booleans())
OP_MOVE_TASK = _op("move_task", task=TASK, client=CLIENT, project=st.integers(0, 1))

# The boundaries of issue 21: contacts moving between clients, projects given
# another client, a second company. Clients 3 and 4 (see TestOracle): a
# client of the second company, and a client of no company, shared by both,
# with a project of no company (0) and one of the second company (1).
B_CLIENT = 3
SHARED_CLIENT = 4
OP_MOVE_CONTACT = _op(
    "move_contact",
    contact=st.integers(0, 1),
    client=st.sampled_from([0, 1, 2, SHARED_CLIENT]),
)
# time logged for a contact (None: for the project's or task's client)
OP_LOG_FOR_CONTACT = _op(
    "log", **LOG_FIELDS, contact=st.sampled_from([None, 0, 1, 0, 1])
)
OP_PROJECT_CLIENT = _op(
    "project_client",
    client=CLIENT,
    project=st.integers(0, 1),
    # rather the project of a line (of the first three clients), if any
    line=weighted(st.none(), PICK, PICK),
    to=st.sampled_from([0, 1, 2, SHARED_CLIENT]),
    # a qLibra manager, or a Project administrator who is not one
    by=st.sampled_from(["manager", "project_admin"]),
)
# company: 0 the main company, 1 the second one (the second company's
# client has its contracts there whatever is drawn)
OP_CONTRACT_OTHER_COMPANY = _op(
    "contract",
    client=st.sampled_from([B_CLIENT, SHARED_CLIENT, SHARED_CLIENT]),
    company=st.sampled_from([0, 1, 1]),
    kind=st.sampled_from(KINDS),
    foreign=st.just(False),
    start=CONTRACT_START,
    length=LENGTH,
    scope=st.sampled_from([None, None, 0, 1]),
    **TERMS,
)
# employee 3 is the second company's; a project of a company takes one of
# its employees, a project of no company any (its lines are in the
# employee's company)
OP_LOG_OTHER_COMPANY = _op(
    "log",
    client=st.sampled_from([B_CLIENT, SHARED_CLIENT]),
    project=st.integers(0, 1),
    task=st.sampled_from([None, 0, 1]),
    employee=st.integers(0, 3),
    day=LINE_DAY,
    hours=QUARTERS,
    mark=st.booleans(),
)
# a line moved to a project of the second company or of no company
OP_MOVE_OTHER_COMPANY = _op(
    "move",
    line=PICK,
    client=st.sampled_from([B_CLIENT, SHARED_CLIENT]),
    project=st.integers(0, 1),
    task=st.sampled_from([None, 0, 1]),
)

LINE_OPS = [
    OP_LOG,
    OP_LOG,
    OP_LOG,
    OP_LOG,
    OP_LOG,
    OP_LOG,
    OP_EDIT_HOURS,
    OP_MOVE,
    OP_REDATE,
    OP_DELETE,
    OP_CORRECT_EMPLOYEE,
]
COST_OPS = [OP_EMPLOYEE_COST, OP_OVERHEAD]
CONTRACT_OPS = [OP_CONTRACT, OP_CONTRACT, OP_RENEGOTIATE, OP_ARCHIVE, OP_CORRECT_DATES]
TASK_OPS = [OP_PRICE, OP_DONE, OP_DONE_TODAY, OP_REOPEN, OP_TASK_MARK, OP_MOVE_TASK]

# Periods of whole months for the statement, within January to July.
PERIOD = st.tuples(st.integers(1, 7), st.integers(0, 6)).map(
    lambda pair: (
        date(2025, pair[0], 1),
        last_day(date(2025, min(pair[0] + pair[1], 7), 1)),
    )
)


def settings_for(examples):
    return settings(
        max_examples=max(1, round(examples * EXAMPLES_SCALE)),
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=False,
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ----------------------------------------------------------------------
# Running operations on Odoo and on the oracle side by side
# ----------------------------------------------------------------------
class Scenario:
    """One example: the operations on Odoo and on the oracle, and a trace."""

    def __init__(self, case, stats, boundaries=False):
        """boundaries: compare the figures of the second company's and the
        shared client too, and the statements of each company apart."""
        self.case = case
        self.env = case.env
        self.stats = stats
        self.oracle = Oracle(
            FROZEN_TODAY,
            case.env.company.qlibra_overhead_rate,
            {emp.id: emp.hourly_cost for emp in case.all_employees},
            [(p.id, p.partner_id.id) for p in case.all_projects],
            [(t.id, t.project_id.id) for t in case.all_tasks + case.other_tasks],
            companies={
                "main": case.env.company.id,
                "projects": {p.id: p.company_id.id for p in case.all_projects},
                "employees": {e.id: e.company_id.id for e in case.all_employees},
                "overheads": {
                    company.id: company.qlibra_overhead_rate
                    for company in case.companies[1:]
                },
            },
            contacts=[(c.id, c.parent_id.id) for c in case.contacts],
        )
        self.client_ids = case.all_client_ids if boundaries else case.client_ids
        self.statement_companies = (
            [[company.id] for company in case.companies] + [None]
            if boundaries
            else [None]
        )
        self.contracts = []
        self.lines = []
        self.trace = []
        self.mismatches = []

    # --- helpers -----------------------------------------------------------
    def attempt(self, label, action, expected=None):
        """Run action in a savepoint; True when Odoo accepted it.

        Refused input (a UserError or ValidationError) rolls back to the
        savepoint. expected (True/False) is what SPEC says, when it is sure.
        """
        try:
            with self.env.cr.savepoint():
                action()
        except UserError as error:
            accepted = False
            reason = str(error).splitlines()[0][:80]
        else:
            accepted = True
            reason = ""
        self.trace.append(f"{label} -> {'ok' if accepted else 'refused: ' + reason}")
        self.stats[f"{label.split('(')[0]} {'ok' if accepted else 'refused'}"] += 1
        if expected is not None and expected != accepted:
            self.mismatches.append(
                f"{label}: SPEC expects it "
                f"{'accepted' if expected else 'refused'}, Odoo "
                f"{'accepted' if accepted else 'refused'} it {reason}"
            )
        return accepted

    def pick(self, records, index):
        return records[index % len(records)] if records else None

    def project_of(self, client, project):
        return self.case.projects[client][project]

    def task_of(self, client, project, task):
        if task is None:
            return self.env["project.task"]
        return self.case.tasks[client][project][task]

    @staticmethod
    def end_of(start, length):
        return start + timedelta(days=length) if length is not None else None

    @staticmethod
    def terms(kind, spec):
        if kind == "subscription":
            return {
                "monthly_fee": spec["fee"],
                "included_hours": spec["included"],
                "overage_rate": spec["overage"],
            }
        if kind == "hourly":
            return {"hourly_rate": spec["rate"]}
        return {}

    @staticmethod
    def oracle_terms(kind, spec):
        if kind == "subscription":
            return {
                "fee": spec["fee"],
                "included": spec["included"],
                "overage": spec["overage"],
            }
        if kind == "hourly":
            return {"rate": spec["rate"]}
        return {}

    def run(self, spec):
        getattr(self, f"_op_{spec['op']}")(spec)

    # --- contracts -----------------------------------------------------------
    def _op_contract(self, spec):
        client = self.case.clients[spec["client"]]
        company = client.company_id or self.case.companies[spec.get("company", 0)]
        kind, start = spec["kind"], spec["start"]
        end = self.end_of(start, spec["length"])
        project = None
        if spec["scope"] is not None:
            candidate = self.project_of(spec["client"], spec["scope"])
            if self.oracle.project_contract[candidate.id] is None:
                project = candidate
        vals = {
            "partner_id": client.id,
            "company_id": company.id,
            "contract_type": kind,
            "date_start": start,
            "date_end": end,
            "target_margin": 30.0,
            **self.terms(kind, spec),
        }
        if spec.get("foreign", False):
            vals["currency_id"] = self.case.foreign.id
        if project:
            vals["project_ids"] = [Command.link(project.id)]
        created = []
        label = (
            f"contract({client.name}, {kind}, {start}..{end or ''}, "
            f"{project.name if project else 'client-wide'}, "
            f"{self.terms(kind, spec)}{' foreign' if spec.get('foreign') else ''}"
            f"{'' if company == self.env.company else ', ' + company.name})"
        )
        expected = self.oracle.expect_contract(
            client.id, start, end, bool(project), company=company.id
        )
        if project and project.company_id and project.company_id != company:
            # A project of another company: SPEC does not say (Odoo's
            # company check refuses it).
            expected = None
        if self.attempt(
            label,
            lambda: created.append(self.env["qlibra.contract"].create(vals)),
            expected,
        ):
            contract = created[0]
            self.contracts.append(contract)
            self.trace[-1] += f" [contract {contract.id}]"
            self.oracle.add_contract(
                contract.id,
                OracleContract(
                    client=client.id,
                    kind=kind,
                    start=start,
                    end=end,
                    foreign=spec.get("foreign", False),
                    company=company.id,
                    **self.oracle_terms(kind, spec),
                ),
                [project.id] if project else [],
            )

    def _op_renegotiate(self, spec):
        previous = self.pick(self.contracts, spec["contract"])
        if not previous:
            return
        before = self.oracle.contracts[previous.id]
        kind = spec["kind"]
        # None: the previous contract's currency, as its Renegotiate button
        foreign = before.foreign if spec["foreign"] is None else spec["foreign"]
        currency = self.case.foreign if foreign else self.env.company.currency_id
        start = spec["start"]
        end = self.end_of(start, spec["length"])
        vals = {
            "partner_id": previous.partner_id.id,
            "company_id": previous.company_id.id,
            "contract_type": kind,
            "previous_contract_id": previous.id,
            "date_start": start,
            "date_end": end,
            "target_margin": 30.0,
            "currency_id": currency.id,
            **self.terms(kind, spec),
        }
        label = (
            f"renegotiate(contract {previous.id} to {kind} from {start}..{end or ''}"
            f", {self.terms(kind, spec)}{' foreign' if foreign else ''})"
        )
        if start <= before.start:
            expected = False  # it must start after the previous one starts
        else:
            # The new contract takes over the previous one's projects: with
            # projects, a client-wide contract beside it does not block it.
            scoped = previous.id in self.oracle.project_contract.values()
            others = self.oracle.overlapping(
                before.client, start, end, exclude={previous.id}, company=before.company
            )
            if not others:
                expected = True
            elif scoped and all(
                not self.oracle.contracts[cid].ever_scoped for cid in others
            ):
                expected = True
            elif not scoped and any(
                not self.oracle.contracts[cid].ever_scoped for cid in others
            ):
                expected = False
            else:
                expected = None
        created = []
        if self.attempt(
            label,
            lambda: created.append(self.env["qlibra.contract"].create(vals)),
            expected,
        ):
            contract = created[0]
            self.contracts.append(contract)
            self.trace[-1] += f" [contract {contract.id}]"
            self.oracle.renegotiate(
                contract.id,
                OracleContract(
                    client=before.client,
                    kind=kind,
                    start=start,
                    end=end,
                    previous=previous.id,
                    foreign=foreign,
                    **self.oracle_terms(kind, spec),
                ),
            )

    def _op_archive(self, spec):
        contract = self.pick(self.contracts, spec["contract"])
        if not contract:
            return
        # Archiving ends a contract today: one that has not started yet is
        # refused with a clear message (it would end before its start).
        upcoming = self.oracle.contracts[contract.id].start > FROZEN_TODAY
        label = f"archive(contract {contract.id})"
        if self.attempt(label, contract.action_archive, not upcoming):
            self.oracle.archive(contract.id)

    def _op_correct_dates(self, spec):
        contract = self.pick(self.contracts, spec["contract"])
        if not contract:
            return
        start = spec["start"]
        end = self.end_of(start, spec["length"])
        before = self.oracle.contracts[contract.id]
        label = f"correct_dates(contract {contract.id}: {start}..{end or ''})"
        expected = self.oracle.expect_contract(
            before.client,
            start,
            end,
            scoped=before.ever_scoped,
            exclude={contract.id},
            company=before.company,
        )
        if self.attempt(
            label,
            lambda: contract.write({"date_start": start, "date_end": end}),
            expected,
        ):
            before.start, before.end = start, end

    # --- time ------------------------------------------------------------------
    def _op_log(self, spec):
        project = self.project_of(spec["client"], spec["project"])
        task = self.task_of(spec["client"], spec["project"], spec["task"])
        # the task may have moved to another project since
        project = task.project_id or project
        employee = self.case.all_employees[spec["employee"]]
        if project.company_id and employee.company_id != project.company_id:
            # a project of a company: one of that company's employees
            employee = next(
                e for e in self.case.all_employees if e.company_id == project.company_id
            )
        vals = {
            "name": "Work",
            "project_id": project.id,
            "task_id": task.id,
            "employee_id": employee.id,
            "date": spec["day"],
            "unit_amount": spec["hours"],
        }
        if spec["mark"]:
            vals["qlibra_is_change_request"] = True
        contact = None
        if spec.get("contact") is not None:
            contact = self.case.contacts[spec["contact"]]
            vals["partner_id"] = contact.id
        created = []
        label = (
            f"log({project.name}/{task.name or '-'}, {employee.name}, "
            f"{spec['day']}, {spec['hours']}h"
            f"{', change request' if spec['mark'] else ''}"
            f"{', for ' + contact.name if contact else ''})"
        )
        if self.attempt(
            label,
            lambda: created.append(self.env["account.analytic.line"].create(vals)),
            True,
        ):
            line = created[0]
            self.lines.append(line)
            self.trace[-1] += f" [line {line.id}]"
            self.oracle.log(
                line.id,
                project.id,
                task.id or None,
                employee.id,
                spec["day"],
                spec["hours"],
                spec["mark"],
                contact=contact.id if contact else None,
            )

    def _op_edit_hours(self, spec):
        line = self.pick(self.lines, spec["line"])
        if line and self.attempt(
            f"edit_hours(line {line.id}: {spec['hours']}h)",
            lambda: line.write({"unit_amount": spec["hours"]}),
            True,
        ):
            self.oracle.lines[line.id].hours = Decimal(str(spec["hours"]))

    def _op_move(self, spec):
        line = self.pick(self.lines, spec["line"])
        if not line:
            return
        project = self.project_of(spec["client"], spec["project"])
        task = self.task_of(spec["client"], spec["project"], spec["task"])
        # the task may have moved to another project since
        project = task.project_id or project
        if project.company_id and project.company_id != line.company_id:
            self.stats["move to another company"] += 1
        if self.attempt(
            f"move(line {line.id} to {project.name}/{task.name or '-'})",
            lambda: line.write({"project_id": project.id, "task_id": task.id}),
            True,
        ):
            self.oracle.move_line(line.id, project.id, task.id or None)

    def _op_redate(self, spec):
        line = self.pick(self.lines, spec["line"])
        if line and self.attempt(
            f"redate(line {line.id} to {spec['day']})",
            lambda: line.write({"date": spec["day"]}),
            True,
        ):
            self.oracle.lines[line.id].day = spec["day"]

    def _op_delete(self, spec):
        line = self.pick(self.lines, spec["line"])
        if line and self.attempt(f"delete(line {line.id})", line.unlink, True):
            self.lines.remove(line)
            del self.oracle.lines[line.id]

    def _op_correct_employee(self, spec):
        line = self.pick(self.lines, spec["line"])
        employee = self.case.employees[spec["employee"]]
        if line and line.company_id != employee.company_id:
            return  # an employee of another company: not a correction
        if line and self.attempt(
            f"correct_employee(line {line.id} to {employee.name})",
            lambda: line.write({"employee_id": employee.id}),
            True,
        ):
            self.oracle.correct_employee(line.id, employee.id)

    def _op_employee_cost(self, spec):
        employee = self.case.employees[spec["employee"]]
        if self.attempt(
            f"employee_cost({employee.name}: {spec['cost']})",
            lambda: employee.write({"hourly_cost": spec["cost"]}),
            True,
        ):
            self.oracle.costs[employee.id] = Decimal(str(spec["cost"]))

    def _op_overhead(self, spec):
        company = self.env.company
        if self.attempt(
            f"overhead({spec['rate']}%)",
            lambda: company.write({"qlibra_overhead_rate": spec["rate"]}),
            True,
        ):
            self.oracle.overhead = Decimal(str(spec["rate"]))

    # --- tasks -------------------------------------------------------------------
    def fixed_price_task(self, spec):
        """Any task when spec["anywhere"], else preferably one of a
        fixed-price contract."""
        tasks = self.case.all_tasks
        if not spec["anywhere"]:
            fixed = [
                task
                for task in tasks
                if (cid := self.oracle.task_contract(task.id))
                and self.oracle.contracts[cid].kind == "fixed_price"
            ]
            tasks = fixed or tasks
        return self.pick(tasks, spec["task"])

    def _op_price(self, spec):
        task = self.fixed_price_task(spec)
        cid = self.oracle.task_contract(task.id)
        expected = cid is not None and self.oracle.contracts[cid].kind == "fixed_price"
        if self.attempt(
            f"price(task {task.name}: {spec['price']})",
            lambda: task.write({"qlibra_fixed_price": spec["price"]}),
            expected,
        ):
            self.oracle.tasks[task.id].price = spec["price"]

    def _op_done(self, spec):
        task = self.fixed_price_task(spec)
        if self.attempt(
            f"done(task {task.name} on {spec['day']})",
            lambda: task.write({"state": "1_done", "qlibra_date_done": spec["day"]}),
            True,
        ):
            self.oracle.tasks[task.id].done_on = spec["day"]

    def _op_done_today(self, spec):
        task = self.fixed_price_task(spec)
        if self.attempt(
            f"done_today(task {task.name})",
            lambda: task.write({"state": "1_done"}),
            True,
        ):
            # Done today, unless it was done before: recognition is final.
            oracle_task = self.oracle.tasks[task.id]
            oracle_task.done_on = oracle_task.done_on or FROZEN_TODAY

    def _op_reopen(self, spec):
        task = self.fixed_price_task(spec)
        # Reopening keeps the revenue where it was recognised: no change.
        self.attempt(
            f"reopen(task {task.name})",
            lambda: task.write({"state": "01_in_progress"}),
            True,
        )

    def _op_move_task(self, spec):
        """A manager moves a task (its time follows it) to another project,
        of the same or another client."""
        task = self.case.all_tasks[spec["task"]]
        project = self.project_of(spec["client"], spec["project"])
        if task.project_id == project:
            return
        if self.attempt(
            f"move_task(task {task.name} to {project.name})",
            lambda: task.write({"project_id": project.id}),
            self.oracle.move_task_allowed(task.id, project.id),
        ):
            # The task's customer after the move is Odoo's (an input, not a
            # qLibra rule): Timesheets keeps it, Sales may take the project's.
            customer = task.partner_id.commercial_partner_id.id or None
            self.oracle.move_task(task.id, project.id, customer)

    def _op_task_mark(self, spec):
        task = self.case.all_tasks[spec["task"]]
        if self.attempt(
            f"task_mark(task {task.name}: {spec['flag']})",
            lambda: task.write({"qlibra_is_change_request": spec["flag"]}),
            True,
        ):
            self.oracle.tasks[task.id].change_request = spec["flag"]

    # --- clients and companies -------------------------------------------------
    def _op_move_contact(self, spec):
        """A contact moves to another company (or back)."""
        contact = self.case.contacts[spec["contact"]]
        client = self.case.clients[spec["client"]]
        if self.attempt(
            f"move_contact({contact.name} to {client.name})",
            lambda: contact.write({"parent_id": client.id}),
            True,
        ):
            self.oracle.move_contact(contact.id, client.id)

    def _op_project_client(self, spec):
        """A manager, or a Project administrator who is not a qLibra
        manager, gives a project another client."""
        project = self.project_of(spec["client"], spec["project"])
        if spec["line"] is not None and self.lines:
            of_line = self.pick(self.lines, spec["line"]).project_id
            if any(of_line in projects for projects in self.case.projects[:3]):
                project = of_line
        client = self.case.clients[spec["to"]]
        if project.partner_id == client:
            return
        expected = True
        if spec["by"] == "project_admin":
            project = project.with_user(self.case.project_admin)
            expected = self.oracle.expect_client_change(project.id, client.id)
            self.stats[f"project_client by a project admin, expected {expected}"] += 1
        if self.attempt(
            f"project_client({project.name} to {client.name}, by {spec['by']})",
            lambda: project.write({"partner_id": client.id}),
            expected,
        ):
            self.oracle.change_project_client(project.id, client.id)

    # --- comparing ------------------------------------------------------------------
    def mismatch(self, what, expected, actual):
        self.mismatches.append(f"{what}: expected {expected}, got {actual}")

    def compare_money(self, what, expected, actual):
        if round(float(expected), 2) != round(actual or 0.0, 2):
            self.mismatch(what, round(float(expected), 2), round(actual or 0.0, 2))

    def compare_hours(self, what, expected, actual):
        if abs(float(expected) - (actual or 0.0)) > HOURS_TOLERANCE:
            self.mismatch(what, float(expected), actual)

    def compare_all(self, periods):
        self.env.flush_all()
        self.env.invalidate_all()
        self.compare_lines()
        self.compare_analysis()
        self.compare_consumption()
        self.compare_clients()
        if STATEMENT_MODEL in self.env:
            for date_from, date_to in periods:
                for companies in self.statement_companies:
                    self.compare_statements(date_from, date_to, companies)

    def compare_lines(self):
        """Each line's company, contract and cost (stored on the line)."""
        for lid, line, cid, _client in self.oracle.resolved_lines():
            record = self.env["account.analytic.line"].browse(lid)
            if record.company_id.id != (line.company or self.oracle.company):
                self.mismatch(
                    f"company of line {lid}",
                    line.company or self.oracle.company,
                    record.company_id.id,
                )
            if record.qlibra_contract_id.id != (cid or False):
                self.mismatch(
                    f"contract of line {lid} ({line.day})",
                    cid,
                    record.qlibra_contract_id.id,
                )
            self.compare_money(
                f"cost of line {lid}", self.oracle.line_cost(line), record.qlibra_cost
            )
            if line.contact is not None:
                self.stats["lines logged for a contact"] += 1
                if self.oracle.contact_parent[line.contact] != line.client:
                    self.stats["lines of a contact that moved since"] += 1

    def compare_analysis(self):
        """The analysis view per company, client, contract and month."""
        measures = (*FIGURES, "contract_revenue")
        rows = self.env["qlibra.profitability.report"]._read_group(
            [("partner_id", "in", self.client_ids)],
            ["company_id", "partner_id", "contract_id", "date:month"],
            [f"{fname}:sum" for fname in measures],
        )
        actual = {
            (company.id, partner.id, contract.id or None, month): dict(
                zip(measures, values, strict=True)
            )
            for company, partner, contract, month, *values in rows
        }
        expected = {
            key: row
            for key, row in self.oracle.analysis(by_company=True).items()
            if key[1] in self.client_ids
        }
        zero = dict.fromkeys(measures, 0.0)
        self.stats["analysis cells"] += len(set(actual) | set(expected))
        self.stats["analysis cells with revenue"] += len(
            [key for key, row in expected.items() if row["revenue"]]
        )
        for key in sorted(set(actual) | set(expected), key=str):
            want = expected.get(key, zero)
            got = actual.get(key, zero)
            what = (
                f"analysis company {key[0]} client {key[1]} contract {key[2]}"
                f" {key[3]:%Y-%m}"
            )
            for fname in ("hours", "change_request_hours"):
                self.compare_hours(f"{what} {fname}", want[fname], got[fname])
            for fname in ("cost", "revenue", "contract_revenue"):
                self.compare_money(f"{what} {fname}", want[fname], got[fname])
            if key[2] is not None and self.oracle.contracts[key[2]].foreign:
                self.stats["analysis cells in the other currency"] += 1
            if key[0] != self.oracle.company:
                self.stats["analysis cells of the second company"] += 1

    def compare_consumption(self):
        """The contract form's consumption this (frozen) month."""
        contracts = self.env["qlibra.contract"].browse([c.id for c in self.contracts])
        for contract in contracts.with_context(active_test=False):
            expected = self.oracle.consumption(contract.id)
            if abs(float(expected) - contract.consumption_percent) > HOURS_TOLERANCE:
                self.mismatch(
                    f"consumption of contract {contract.id}",
                    float(expected),
                    contract.consumption_percent,
                )

    def compare_clients(self):
        """The figures on each client's form."""
        partners = self.env["res.partner"].browse(self.client_ids)
        for partner in partners:
            want = self.oracle.client_figures(partner.id)
            what = f"client {partner.id}"
            pairs = [
                ("trailing_hours", "qlibra_trailing_hours", "hours"),
                ("trailing_cost", "qlibra_trailing_cost", "money"),
                ("trailing_revenue", "qlibra_trailing_revenue", "money"),
                ("trailing_margin", "qlibra_trailing_margin", "money"),
                ("change_request_share", "qlibra_change_request_share", "hours"),
                ("month_hours", "qlibra_month_hours", "hours"),
                ("month_cost", "qlibra_month_cost", "money"),
                ("month_revenue", "qlibra_month_revenue", "money"),
                ("month_margin", "qlibra_month_margin", "money"),
                ("consumption", "qlibra_consumption_percent", "hours"),
            ]
            if want["month_revenue"]:
                margin = want["month_margin"] / want["month_revenue"] * 100
                pairs.append((margin, "qlibra_month_margin_percent", "hours"))
            if want["trailing_revenue"]:
                margin = want["trailing_margin"] / want["trailing_revenue"] * 100
                pairs.append((margin, "qlibra_trailing_margin_percent", "hours"))
            running = want["running"]
            if len(running) == 1 and running[0].kind != "non_billable":
                # One running contract sets the target margin (30% here).
                margin = (
                    want["trailing_margin"] / want["trailing_revenue"] * 100
                    if want["trailing_revenue"]
                    else None
                )
                # (not at the boundary itself, where float noise decides)
                if margin is not None and abs(margin - 30) > HOURS_TOLERANCE:
                    flag = partner.qlibra_to_renegotiate
                    self.stats["client renegotiation flags compared"] += 1
                    if (margin < 30) != flag:
                        self.mismatch(f"{what} to renegotiate", margin < 30, flag)
                if want["contract_months"]:
                    # SPEC: the average is over the months of the window in
                    # which the client had a contract.
                    average = want["trailing_cost"] / want["contract_months"]
                    if running[0].foreign:
                        # in the contract's currency, at this month's rate
                        average *= FOREIGN_RATES[first_day(self.oracle.today)]
                    self.stats["client suggested fees compared"] += 1
                    fee = -(-average / Fraction(7, 10) // 10) * 10 if average > 0 else 0
                    pairs.append((fee, "qlibra_suggested_fee", "money"))
            for key, fname, kind in pairs:
                expected = want[key] if isinstance(key, str) else key
                label = f"{what} {fname}"
                if kind == "money":
                    self.compare_money(label, expected, partner[fname])
                else:
                    self.compare_hours(label, expected, partner[fname])

    def compare_statements(self, date_from, date_to, companies=None):
        """The statement of each client for whole months, printed in the
        companies (None: all the manager's)."""
        report = self.env[STATEMENT_MODEL].with_user(self.case.manager_user)
        client_ids = self.client_ids
        if companies:
            report = report.with_context(allowed_company_ids=companies)
            # the clients of these companies, and those of no company
            client_ids = [
                partner.id
                for partner in self.env["res.partner"].browse(client_ids)
                if partner.company_id.id in (False, *companies)
            ]
        values = report._get_report_values(
            client_ids,
            {"date_from": str(date_from), "date_to": str(date_to)},
        )
        analysis = self.oracle.analysis(by_company=True)
        for client_id in client_ids:
            statement = values["statements"][client_id]
            expected = self.oracle.statement(client_id, date_from, date_to, companies)
            what = (
                f"statement {date_from:%Y-%m}..{date_to:%Y-%m} client {client_id}"
                f"{f' companies {companies}' if companies else ''}"
            )
            seen = set()
            self.stats["statement sections"] += len(statement["sections"])
            for section in statement["sections"]:
                cid = section["contract"].id if section["contract"] else None
                seen.add(cid)
                want = expected.get(cid, {"hours": 0, "amount": 0, "months": {}})
                where = f"{what} section {cid}"
                self.compare_hours(f"{where} hours", want["hours"], section["hours"])
                self.compare_money(f"{where} amount", want["amount"], section["amount"])
                if section["contract_type"] == "subscription":
                    self.compare_months(where, want["months"], section["months"])
            for cid, want in expected.items():
                if cid not in seen and (want["hours"] or want["amount"]):
                    self.mismatch(
                        f"{what} section {cid}",
                        f"{float(want['hours'])}h, {round(float(want['amount']), 2)}",
                        "no section",
                    )
            # One total per currency, each what the analysis shows in the
            # contracts' currency for the client and months.
            company = self.env.company.currency_id
            want_totals = defaultdict(Fraction)
            for (company_id, client, cid, month), row in analysis.items():
                if (
                    client == client_id
                    and date_from <= month <= date_to
                    and (companies is None or company_id in companies)
                ):
                    foreign = cid is not None and self.oracle.contracts[cid].foreign
                    currency = self.case.foreign if foreign else company
                    want_totals[currency] += row["contract_revenue"]
            got_totals = {t["currency"]: t["amount"] for t in statement["totals"]}
            if len(got_totals) > 1:
                self.stats["statements with two currencies"] += 1
            for currency in set(want_totals) | set(got_totals):
                self.compare_money(
                    f"{what} total amount {currency.name}",
                    want_totals.get(currency, 0),
                    got_totals.get(currency, 0.0),
                )

    def compare_months(self, where, expected, months):
        actual = {values["month"]: values for values in months}
        if set(actual) != set(expected):
            self.mismatch(f"{where} months", sorted(expected), sorted(actual))
        for month in set(actual) & set(expected):
            want, got = expected[month], actual[month]
            what = f"{where} {month:%Y-%m}"
            for fname in ("included_hours", "used_hours", "extra_hours"):
                self.compare_hours(f"{what} {fname}", want[fname], got[fname])
            for fname in ("fee", "overage_amount"):
                self.compare_money(f"{what} {fname}", want[fname], got[fname])


@tagged("post_install", "-at_install")
class TestOracle(QlibraCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Today frozen for the whole class; hypothesis keeps the real clock
        # (its shrinking has a time limit).
        cls.startClassPatcher(
            freezegun.freeze_time(f"{FROZEN_TODAY} 12:00:00", ignore=["hypothesis"])
        )
        cls.employees = [
            cls.env["hr.employee"].create({"name": name, "hourly_cost": cost})
            for name, cost in (("Ana", 40.0), ("Boris", 25.0), ("Vera", 62.5))
        ]
        # The other currency and its rates; the company's rate is 1.
        cls.foreign = cls.env.ref("base.EUR")
        if cls.foreign == cls.env.company.currency_id:
            cls.foreign = cls.env.ref("base.USD")
        cls.foreign.active = True
        Rate = cls.env["res.currency.rate"]
        Rate.search(
            [("currency_id", "in", (cls.foreign + cls.env.company.currency_id).ids)]
        ).unlink()
        Rate.create(
            [
                {
                    "currency_id": cls.foreign.id,
                    "name": month,
                    "rate": float(rate),
                    "company_id": False,
                }
                for month, rate in FOREIGN_RATES.items()
            ]
        )
        cls.clients = [cls._client(f"Oracle Client {n}") for n in "ABC"]
        cls.client_ids = [client.id for client in cls.clients]
        cls.projects = [
            [
                cls._project(client, name=f"{client.name[-1]}-{kind}")
                for kind in ("Main", "Job")
            ]
            for client in cls.clients
        ]
        cls.tasks = [
            [
                [cls._task(project, name=f"{project.name}-T{n}") for n in (1, 2)]
                for project in projects
            ]
            for projects in cls.projects
        ]
        cls.all_tasks = [
            t for projects in cls.tasks for tasks in projects for t in tasks
        ]
        # The boundaries of issue 21: a second company with its own client,
        # employee and overhead rate; a client of no company (shared), with
        # a project of no company and one of the second company; contacts of
        # the first two clients.
        cls.company_b = cls.env["res.company"].create({"name": "Oracle Company B"})
        cls.company_b.qlibra_overhead_rate = 10.0
        cls.companies = [cls.env.company, cls.company_b]
        cls.manager_user.company_ids += cls.company_b
        cls.project_admin = new_test_user(
            cls.env,
            login="oracle_project_admin",
            groups="base.group_user,project.group_project_manager,"
            "hr_timesheet.group_hr_timesheet_user",
        )
        cls.all_employees = [
            *cls.employees,
            cls.env["hr.employee"].create(
                {"name": "Dora", "hourly_cost": 30.0, "company_id": cls.company_b.id}
            ),
        ]
        b_client = cls.env["res.partner"].create(
            {
                "name": "Oracle Client D",
                "is_company": True,
                "company_id": cls.company_b.id,
            }
        )
        shared = cls._client("Oracle Client S")
        cls.clients += [b_client, shared]
        cls.all_client_ids = [client.id for client in cls.clients]
        for client, companies in (
            (b_client, (cls.company_b, cls.company_b)),
            (shared, (cls.env["res.company"], cls.company_b)),
        ):
            projects = [
                cls.env["project.project"].create(
                    {
                        "name": f"{client.name[-1]}-{kind}",
                        "partner_id": client.id,
                        "company_id": company.id,
                        "allow_timesheets": True,
                    }
                )
                for kind, company in zip(("Main", "Job"), companies, strict=True)
            ]
            cls.projects.append(projects)
            cls.tasks.append(
                [
                    [cls._task(project, name=f"{project.name}-T{n}") for n in (1, 2)]
                    for project in projects
                ]
            )
        cls.all_projects = [p for projects in cls.projects for p in projects]
        # tasks the task operations leave alone (of the clients above)
        cls.other_tasks = [
            t for projects in cls.tasks[3:] for tasks in projects for t in tasks
        ]
        cls.contacts = cls.env["res.partner"].create(
            [
                {"name": f"Oracle Contact {n}", "parent_id": client.id}
                for n, client in enumerate(cls.clients[:2], start=1)
            ]
        )

    def _check(self, operations, periods, stats, boundaries=False):
        """Run one example in a savepoint rolled back at its end."""
        savepoint = self.env.cr.savepoint()
        try:
            scenario = Scenario(self, stats, boundaries)
            for spec in operations:
                scenario.run(spec)
            scenario.compare_all(periods)
            stats["examples"] += 1
            stats["operations"] += len(operations)
            if scenario.mismatches:
                self.fail(
                    "Figures differ from the oracle.\nOperations:\n  "
                    + "\n  ".join(scenario.trace)
                    + "\nMismatches:\n  "
                    + "\n  ".join(scenario.mismatches[:30])
                )
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    def _log_stats(self, name, stats):
        _logger.info(
            "%s: %s examples, %s operations; %s",
            name,
            stats.pop("examples", 0),
            stats.pop("operations", 0),
            ", ".join(f"{key}: {count}" for key, count in sorted(stats.items())),
        )

    # --- the oracle itself, on figures worked out by hand ---------------------
    def test_oracle_on_hand_figures(self):
        """A subscription from 16 March (fee 1000, 20 hours, overage 50),
        archived on the frozen today, 20 May."""
        stats = Counter()
        client = self.clients[0]
        main = self.projects[0][0]
        ops = [
            {
                "op": "contract",
                "client": 0,
                "kind": "subscription",
                "start": date(2025, 3, 16),
                "length": None,
                "scope": None,
                "fee": 1000,
                "included": 20,
                "overage": 50,
                "rate": 0,
            },
            {
                "op": "log",
                "client": 0,
                "project": 0,
                "task": 0,
                "employee": 0,
                "day": date(2025, 3, 20),
                "hours": 15.0,
                "mark": True,
            },
            {
                "op": "log",
                "client": 0,
                "project": 0,
                "task": None,
                "employee": 1,
                "day": date(2025, 4, 30),
                "hours": 25.0,
                "mark": False,
            },
            {"op": "employee_cost", "employee": 0, "cost": 80},
            {"op": "edit_hours", "line": 0, "hours": 15.5},
        ]
        savepoint = self.env.cr.savepoint()
        try:
            scenario = Scenario(self, stats)
            for spec in ops:
                scenario.run(spec)
            oracle = scenario.oracle
            cid = scenario.contracts[0].id
            figures = oracle.analysis()
            march = figures[(client.id, cid, date(2025, 3, 1))]
            # 15.5 h x 40 (the cost when logged) x 1.2
            self.assertEqual(march["cost"], 744)
            self.assertEqual(march["change_request_hours"], Fraction(31, 2))
            # fee 1000 x 16/31; included 20 x 16/31; overage on the rest
            fee = Fraction(16000, 31)
            overage = (Fraction(31, 2) - Fraction(320, 31)) * 50
            self.assertEqual(march["revenue"], fee + overage)
            # the pro-rated parts cancel out: 1000 x 16/31 = 20 x 50 x 16/31
            self.assertEqual(march["revenue"], 775)
            april = figures[(client.id, cid, date(2025, 4, 1))]
            self.assertEqual(april["revenue"], 1000 + 5 * 50)
            self.assertEqual(april["cost"], Fraction(750))  # 25 h x 25 x 1.2
            self.assertEqual(
                figures[(client.id, cid, date(2025, 5, 1))]["revenue"], 1000
            )
            self.assertNotIn((client.id, cid, date(2025, 6, 1)), figures)
            self.assertEqual(oracle.consumption(cid), 0)
            scenario.run({"op": "archive", "contract": 0})
            self.assertEqual(oracle.contracts[cid].end, FROZEN_TODAY)
            may = oracle.analysis()[(client.id, cid, date(2025, 5, 1))]
            self.assertEqual(may["revenue"], Fraction(20000, 31))
            self.assertEqual(main.partner_id, client)
            scenario.compare_all([(date(2025, 3, 1), date(2025, 5, 31))])
            self.assertFalse(scenario.mismatches, "\n".join(scenario.mismatches))
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    # --- property tests ----------------------------------------------------------
    def _property(self, name, examples, first, then, boundaries=False):
        """Check examples of the operations first, then the operations then
        (list strategies), the statement over one or two periods.
        boundaries: see Scenario."""
        stats = Counter()

        @settings_for(examples)
        @given(first=first, then=then, periods=st.lists(PERIOD, min_size=1, max_size=2))
        def check(first, then, periods):
            self._check(first + then, periods, stats, boundaries)

        check()
        self._log_stats(name, stats)

    def test_property_mixed_operations(self):
        """Every kind of operation, in any order, after a few contracts and
        lines."""
        self._property(
            "mixed operations",
            200,
            st.lists(weighted(OP_CONTRACT, OP_LOG), min_size=2, max_size=8),
            st.lists(
                weighted(*LINE_OPS, *COST_OPS, *CONTRACT_OPS, *TASK_OPS),
                min_size=4,
                max_size=30,
            ),
        )

    def test_property_adoption(self):
        """Time logged first, contracts created over it afterwards."""
        self._property(
            "adoption",
            100,
            st.lists(OP_LOG, min_size=2, max_size=12),
            st.tuples(
                st.lists(
                    weighted(OP_CONTRACT, OP_CONTRACT, OP_RENEGOTIATE, OP_PRICE),
                    min_size=1,
                    max_size=6,
                ),
                st.lists(weighted(*LINE_OPS, *TASK_OPS), max_size=8),
            ).map(lambda pair: pair[0] + pair[1]),
        )

    def test_property_subscriptions_across_months(self):
        """Subscriptions renegotiated, corrected and archived around month
        ends, with time on both sides of the boundaries."""
        subscription = _op(
            "contract",
            client=CLIENT,
            kind=st.just("subscription"),
            start=CONTRACT_START,
            length=LENGTH,
            scope=st.sampled_from([None, None, 0, 1]),
            **TERMS,
        )
        self._property(
            "subscriptions across months",
            120,
            st.lists(weighted(subscription, OP_LOG), min_size=2, max_size=8),
            st.lists(
                weighted(
                    subscription,
                    OP_RENEGOTIATE,
                    OP_RENEGOTIATE,
                    OP_ARCHIVE,
                    OP_CORRECT_DATES,
                    OP_LOG,
                    OP_LOG,
                    OP_LOG,
                    OP_MOVE,
                    OP_REDATE,
                    OP_EDIT_HOURS,
                    OP_EMPLOYEE_COST,
                ),
                min_size=4,
                max_size=30,
            ),
        )

    def test_property_fixed_price(self):
        """Fixed-price jobs priced, done on a day, reopened, done again."""
        fixed = _op(
            "contract",
            client=CLIENT,
            kind=st.just("fixed_price"),
            start=CONTRACT_START,
            length=LENGTH,
            scope=st.sampled_from([0, 1]),
            **TERMS,
        )
        self._property(
            "fixed price",
            80,
            st.lists(weighted(fixed, fixed, OP_LOG), min_size=1, max_size=6),
            st.lists(
                weighted(
                    fixed, OP_CONTRACT, OP_LOG, OP_LOG, OP_MOVE, OP_ARCHIVE, *TASK_OPS
                ),
                min_size=4,
                max_size=25,
            ),
        )

    def test_property_clients_and_companies(self):
        """The boundaries of issue 21: contacts moving to another client
        with time logged for them before and after, projects given another
        client, and a second company with its own client and a
        client shared with the first company (a project of no company
        among its projects)."""
        self._property(
            "clients and companies",
            60,
            st.lists(
                weighted(
                    OP_CONTRACT,
                    OP_CONTRACT_OTHER_COMPANY,
                    OP_LOG_FOR_CONTACT,
                    OP_LOG_FOR_CONTACT,
                    OP_LOG_OTHER_COMPANY,
                ),
                min_size=3,
                max_size=10,
            ),
            st.lists(
                weighted(
                    OP_MOVE_CONTACT,
                    OP_MOVE_CONTACT,
                    OP_MOVE_CONTACT,
                    OP_PROJECT_CLIENT,
                    OP_PROJECT_CLIENT,
                    OP_PROJECT_CLIENT,
                    OP_LOG_FOR_CONTACT,
                    OP_LOG_FOR_CONTACT,
                    OP_LOG_OTHER_COMPANY,
                    OP_LOG_OTHER_COMPANY,
                    OP_CONTRACT,
                    OP_CONTRACT_OTHER_COMPANY,
                    OP_RENEGOTIATE,
                    OP_ARCHIVE,
                    OP_CORRECT_DATES,
                    OP_MOVE,
                    OP_MOVE_OTHER_COMPANY,
                    OP_MOVE_OTHER_COMPANY,
                    OP_MOVE_OTHER_COMPANY,
                    OP_MOVE_TASK,
                    OP_REDATE,
                    OP_EDIT_HOURS,
                    OP_CORRECT_EMPLOYEE,
                    OP_OVERHEAD,
                    OP_PRICE,
                    OP_DONE,
                ),
                min_size=4,
                max_size=25,
            ),
            boundaries=True,
        )

    def test_property_project_client(self):
        """Projects given another client, by a manager or by a Project
        administrator who is not one, over time logged on their tasks and
        without a task, for their client and for contacts, under project
        contracts and contracts for the whole client."""
        self._property(
            "project client",
            30,
            st.lists(
                weighted(
                    OP_CONTRACT,
                    OP_CONTRACT,
                    OP_LOG_FOR_CONTACT,
                    OP_LOG_FOR_CONTACT,
                    OP_LOG_FOR_CONTACT,
                ),
                min_size=3,
                max_size=12,
            ),
            st.lists(
                weighted(
                    OP_PROJECT_CLIENT,
                    OP_PROJECT_CLIENT,
                    OP_PROJECT_CLIENT,
                    OP_MOVE_CONTACT,
                    OP_LOG_FOR_CONTACT,
                    OP_CONTRACT,
                    OP_RENEGOTIATE,
                    OP_CORRECT_DATES,
                    OP_MOVE_TASK,
                    OP_DONE,
                ),
                min_size=2,
                max_size=10,
            ),
            boundaries=True,
        )
