# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Nothing stored for speed changes a figure (SPEC, Lifecycle; issue 21).

Every grouping of the analysis (each groupable field, and each pair of
them) must give the same figures before and after every qLibra scheduled
action, on the demo data and on generated data, and the time rows must
equal a plain sum of the timesheet lines. (An earlier analysis read a month
table that a scheduled action folded, and the fold lost the contract type.)

A group whose figures are all zero counts as absent: a group absent on one
side must be all zero on the other.
"""

import itertools
import random
from collections import defaultdict
from datetime import date

from odoo.models import BaseModel
from odoo.tests import TransactionCase, tagged

from .common import QlibraCase, run_scheduled_actions

# Money and hours compared to the cent; ratios to a hundredth of a percent.
DIGITS = 2


class AnalysisGroupings:
    """Every grouping of the analysis, read as the pivot reads it."""

    def _report(self):
        return self.env["qlibra.profitability.report"]

    def _fields_description(self):
        return self._report().fields_get(attributes=["groupable", "aggregator", "type"])

    def _dimensions(self):
        """The groupable fields that are not numbers, as the pivot groups
        them (dates by month): a new field is covered without naming it."""
        return sorted(
            f"{name}:month" if desc["type"] == "date" else name
            for name, desc in self._fields_description().items()
            if desc.get("groupable")
            and desc["type"] not in ("integer", "float", "monetary")
        )

    def _measures(self):
        return sorted(
            f"{name}:{desc['aggregator']}"
            for name, desc in self._fields_description().items()
            if desc.get("aggregator")
        )

    def _groupings(self):
        dimensions = self._dimensions()
        return [(name,) for name in dimensions] + list(
            itertools.combinations(dimensions, 2)
        )

    @staticmethod
    def _key_value(value):
        return value.id if isinstance(value, BaseModel) else value

    def _read(self, groupby, measures, domain=()):
        """{group key: {measure: rounded value}} of one grouping."""
        self.env.flush_all()
        self.env.invalidate_all()
        rows = self._report()._read_group(list(domain), list(groupby), measures)
        return {
            tuple(self._key_value(value) for value in row[: len(groupby)]): {
                measure: round(value or 0.0, DIGITS)
                for measure, value in zip(measures, row[len(groupby) :], strict=True)
            }
            for row in rows
        }

    def _snapshot(self):
        measures = self._measures()
        return {groupby: self._read(groupby, measures) for groupby in self._groupings()}

    def _differences(self, expected, actual, label):
        """Groups whose figures differ (a group absent on one side is all
        zero on the other)."""
        differences = []
        for groupby, want_groups in expected.items():
            got_groups = actual[groupby]
            for key in sorted(set(want_groups) | set(got_groups), key=repr):
                want = want_groups.get(key, {})
                got = got_groups.get(key, {})
                changed = {
                    measure: (want.get(measure, 0.0), got.get(measure, 0.0))
                    for measure in {*want, *got}
                    if want.get(measure, 0.0) != got.get(measure, 0.0)
                }
                if changed:
                    differences.append(
                        f"{label} {' x '.join(groupby)} = {key}: {changed}"
                    )
        return differences

    def _assert_same(self, expected, actual, label):
        differences = self._differences(expected, actual, label)
        if differences:
            self.fail(
                f"{len(differences)} groups differ:\n" + "\n".join(differences[:40])
            )


@tagged("post_install", "-at_install", "qlibra_sales")
class TestFoldDemo(AnalysisGroupings, TransactionCase):
    """On the demo data: every grouping stays the same after every
    scheduled action and after the view is rebuilt (a module update)."""

    def test_demo_groupings_survive_scheduled_actions(self):
        if not self.env.ref("qlibra_task.demo_contract_rila", False):
            self.skipTest("without the demo data")
        before = self._snapshot()
        # The demo is meaningful here: time of every contract type and
        # internal time.
        hours = self._read(("contract_type",), ["hours:sum"])
        for contract_type in (
            "subscription",
            "hourly",
            "fixed_price",
            "non_billable",
            "none",
        ):
            self.assertGreater(hours[(contract_type,)]["hours:sum"], 0, contract_type)
        self.assertGreater(
            self._read(("is_internal",), ["hours:sum"])[(True,)]["hours:sum"], 0
        )
        run_scheduled_actions(self.env)
        self._assert_same(before, self._snapshot(), "after the scheduled actions:")
        self._report().init()
        self._assert_same(before, self._snapshot(), "after an update:")


@tagged("post_install", "-at_install", "qlibra_sales")
class TestFoldGenerated(AnalysisGroupings, QlibraCase):
    """Random time over contracts of the four types, internal time and time
    without contract, edited, deleted, moved and re-dated between scheduled actions."""

    MONTHS = [date(2025, number, 1) for number in range(1, 7)]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start = date(2024, 1, 1)
        subscription = cls._client("Fold Subscription")
        hourly = cls._client("Fold Hourly")
        fixed = cls._client("Fold Fixed")
        own = cls._client("Fold Non-billable")
        cls.uncovered = cls._client("Fold Uncovered")
        cls._contract(
            subscription,
            "subscription",
            start,
            monthly_fee=1000.0,
            included_hours=10.0,
            overage_rate=60.0,
        )
        cls._contract(hourly, "hourly", start, hourly_rate=80.0)
        fixed_contract = cls._contract(fixed, "fixed_price", start)
        cls._contract(own, "non_billable", start)
        projects = [
            cls._project(subscription, name="Fold Subscription A"),
            cls._project(subscription, name="Fold Subscription B"),
            cls._project(hourly),
            cls._project(fixed, fixed_contract),
            cls._project(own),
            cls._project(cls.uncovered),
            # internal time: no client, and the firm itself as client
            cls.env["project.project"].create(
                {"name": "Fold Internal", "allow_timesheets": True}
            ),
            cls._project(cls.env.company.partner_id, name="Fold Own Company"),
        ]
        cls.tasks = cls.env["project.task"]
        for project in projects:
            for number in (1, 2):
                cls.tasks |= cls._task(project, name=f"{project.name} {number}")
        cls.fixed_task = cls.tasks.filtered(
            lambda task: task.project_id.qlibra_contract_id == fixed_contract
        )[0]
        cls.fixed_task.qlibra_fixed_price = 3000.0
        cls.employees = cls.senior | cls.junior | cls.intern

    def _new_line(self, rng):
        task = rng.choice(self.tasks)
        return self._log(
            task if rng.random() < 0.8 else task.project_id.task_ids[:0],
            rng.choice(self.employees),
            rng.choice(self.MONTHS).replace(day=rng.randint(1, 28)),
            rng.randint(1, 32) / 4,
            project_id=task.project_id.id,
            qlibra_is_change_request=rng.random() < 0.2,
        )

    def _change_lines(self, rng, lines):
        """Edit, delete, move, re-date and re-assign some lines."""
        for line in rng.sample(lines, min(len(lines), 12)):
            action = rng.choice(
                ["hours", "delete", "move", "move", "date", "employee", "mark"]
            )
            if action == "delete":
                lines.remove(line)
                line.unlink()
            elif action == "hours":
                line.unit_amount = rng.randint(0, 32) / 4
            elif action == "move":
                task = rng.choice(self.tasks)
                line.write({"project_id": task.project_id.id, "task_id": task.id})
            elif action == "date":
                line.date = rng.choice(self.MONTHS).replace(day=rng.randint(1, 28))
            elif action == "employee":
                line.employee_id = rng.choice(self.employees)
            else:
                line.qlibra_is_change_request = not line.qlibra_is_change_request

    def _type_written_later(self, rng, lines):
        """Some lines' contract type written by a later statement than their
        contract, as the installation of the demo data does (Odoo fills the
        stored related field in a later flush) and as any import in SQL may:
        the month table gets rows of the same contract with another type."""
        lines = [line for line in lines if line.qlibra_contract_id]
        ids = [line.id for line in rng.sample(lines, min(len(lines), 8))]
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_analytic_line SET qlibra_contract_type = NULL"
            " WHERE id = ANY(%s)",
            [ids],
        )
        self.env.cr.execute(
            """UPDATE account_analytic_line l SET qlibra_contract_type = c.contract_type
                 FROM qlibra_contract c
                WHERE c.id = l.qlibra_contract_id AND l.id = ANY(%s)""",
            [ids],
        )
        self.env.invalidate_all()

    # --- the plain reference: the timesheet lines summed in Python ----------
    def _line_dimensions(self, line):
        """A timesheet line's value of each dimension of the analysis."""
        contract = line.qlibra_contract_id
        company_partners = self.env["res.company"].search([]).partner_id
        # A dimension a bridge adds (the invoicing bridge's invoice) is
        # empty on a row of time.
        return dict.fromkeys(self._dimensions(), False) | {
            "date:month": line.date.replace(day=1),
            "company_id": line.company_id.id,
            "currency_id": line.company_id.currency_id.id,
            "contract_currency_id": (
                contract.currency_id or line.company_id.currency_id
            ).id,
            "partner_id": line.qlibra_partner_id.id,
            "contract_id": contract.id,
            "contract_type": contract.contract_type or "none",
            "is_internal": line.qlibra_partner_id in company_partners
            or not line.qlibra_partner_id,
            "row_type": "time",
            "project_id": line.project_id.id,
            "task_id": line.task_id.id,
            "employee_id": line.employee_id.id,
        }

    def _assert_time_equals_lines(self, label):
        """The analysis's time rows, in every grouping, equal the lines."""
        self.env.flush_all()
        self.env.invalidate_all()
        lines = self.Line.search([("project_id", "!=", False)])
        rows = [
            (
                self._line_dimensions(line),
                (
                    line.unit_amount,
                    line.unit_amount if line.qlibra_is_change_request else 0.0,
                    line.unit_amount if not line.qlibra_hourly_cost else 0.0,
                    line.qlibra_cost,
                    line.qlibra_revenue,
                ),
            )
            for line in lines
        ]
        measures = [
            "hours:sum",
            "change_request_hours:sum",
            "uncosted_hours:sum",
            "cost:sum",
            "contract_revenue:sum",
        ]
        expected, actual = {}, {}
        for groupby in self._groupings():
            sums = defaultdict(lambda: [0.0] * len(measures))
            for dimensions, values in rows:
                key = tuple(dimensions[name] for name in groupby)
                for index, value in enumerate(values):
                    sums[key][index] += value
            expected[groupby] = {
                key: {
                    measure: round(value, DIGITS)
                    for measure, value in zip(measures, values, strict=True)
                }
                for key, values in sums.items()
            }
            actual[groupby] = self._read(groupby, measures, [("row_type", "=", "time")])
        self._assert_same(expected, actual, label)

    def test_generated_groupings_survive_scheduled_actions(self):
        for seed in (1, 2):
            savepoint = self.env.cr.savepoint()
            try:
                self._check_scheduled_actions(random.Random(seed), f"seed {seed}")
            finally:
                savepoint.close(rollback=True)
                self.env.invalidate_all()

    def _check_scheduled_actions(self, rng, name):
        lines = [self._new_line(rng) for _ in range(40)]
        for step in range(4):
            if step == 2:
                # time without contract until now gets one
                self._contract(
                    self.uncovered, "hourly", date(2025, 3, 1), hourly_rate=50.0
                )
            if step == 3:
                self.fixed_task.qlibra_date_done = date(2025, 5, 10)
            lines += [self._new_line(rng) for _ in range(15)]
            self._change_lines(rng, lines)
            self._type_written_later(rng, lines)
            label = f"{name}, step {step}"
            self._assert_time_equals_lines(f"{label}, before:")
            before = self._snapshot()
            run_scheduled_actions(self.env)
            self._assert_same(before, self._snapshot(), f"{label}, after:")
            self._assert_time_equals_lines(f"{label}, after:")
