# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Retainers whose unused hours roll over (SPEC, "Retainers: unused hours
roll over"), against a plain reference written here."""

import calendar
from datetime import date

import freezegun
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import QlibraCase, month

FIGURES = ("carried_in", "used_carried", "expired", "carried_out", "overage_hours")


def reference(included, used, cap, months):
    """The rule in plain Python: lists of included and used hours per month
    (in order, from the contract's first month) in, one dict per month out.

    Lots of carried hours are (last month index usable, hours).
    """
    lots, result = [], []
    for index, (inc, hours) in enumerate(zip(included, used, strict=True)):
        carried_in = sum(h for _last, h in lots)
        need = max(0.0, hours - inc)
        used_carried = min(need, carried_in)
        left, drawn = used_carried, []
        for last, h in sorted(lots):
            take = min(h, left)
            left -= take
            drawn.append((last, h - take))
        expired = sum(h for last, h in drawn if last == index)
        lots = [(last, h) for last, h in drawn if last > index]
        if cap > 0 and inc > hours:
            lots.append((index + months, min(cap, inc - hours)))
        result.append(
            {
                "carried_in": carried_in,
                "used_carried": used_carried,
                "expired": expired,
                "carried_out": sum(h for _last, h in lots),
                "overage_hours": need - used_carried,
            }
        )
    return result


@tagged("post_install", "-at_install")
class TestRollover(QlibraCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rate = 10.0

    def _retainer(self, start, end=None, included=10.0, cap=5.0, months=2, **vals):
        client = self._client("Retainer Client")
        contract = self._contract(
            client,
            "subscription",
            start,
            end,
            monthly_fee=1000.0,
            included_hours=included,
            overage_rate=self.rate,
            rollover_max_hours=cap,
            rollover_months=months,
            **vals,
        )
        project = self._project(client, contract)
        return contract, self._task(project)

    def _log_months(self, task, start, hours):
        """One line per month (on its 20th), from the month of start."""
        lines = []
        for index, amount in enumerate(hours):
            day = start.replace(day=20) + relativedelta(months=index)
            if amount:
                lines.append(self._log(task, self.senior, day, amount))
        return lines

    def _balances(self, contract):
        return contract._qlibra_rollover_balances()[contract.id]

    def _analysis(self, contract):
        """{month: {carried_in, used_carried, expired, overage_hours}} as the
        analysis reads them (overage hours from its overage revenue)."""
        self.env.flush_all()
        rows = self.Report._read_group(
            [("contract_id", "=", contract.id)],
            ["date:month", "row_type"],
            [
                "carried_hours:sum",
                "used_carried_hours:sum",
                "expired_hours:sum",
                "revenue:sum",
            ],
        )
        result = {}
        for day, row_type, carried, used_carried, expired, revenue in rows:
            figures = result.setdefault(
                day,
                {
                    "carried_in": 0.0,
                    "used_carried": 0.0,
                    "expired": 0.0,
                    "overage_hours": 0.0,
                },
            )
            if row_type == "fee":
                figures["carried_in"] += carried
                figures["used_carried"] += used_carried
                figures["expired"] += expired
            elif row_type == "overage":
                figures["overage_hours"] += revenue / self.rate
        return result

    def _assert_figures(self, what, expected, actual):
        for fname in expected:
            self.assertAlmostEqual(
                actual[fname], expected[fname], places=4, msg=f"{what} {fname}"
            )

    def _check_against_reference(self, contract, start, used):
        """The contract's method and the analysis equal the reference."""
        first = start.replace(day=1)
        months = [first + relativedelta(months=n) for n in range(len(used))]
        included = [contract._included_hours_in_month(m) for m in months]
        expected = reference(
            included, used, contract.rollover_max_hours, contract.rollover_months
        )
        balances = self._balances(contract)
        analysis = self._analysis(contract)
        # An open-ended contract runs on to today's month.
        self.assertEqual(sorted(balances)[: len(months)], months)
        for day, want in zip(months, expected, strict=True):
            self._assert_figures(f"method {day}", want, balances[day])
            self.assertAlmostEqual(balances[day]["used"], used[months.index(day)])
            self._assert_figures(
                f"analysis {day}",
                {k: want[k] for k in analysis.get(day, {})},
                analysis.get(day, dict.fromkeys(FIGURES[:3] + FIGURES[4:], 0.0)),
            )
            if want["overage_hours"] > 1e-6:
                self.assertIn(day, analysis)
                self.assertAlmostEqual(
                    analysis[day]["overage_hours"], want["overage_hours"], places=4
                )

    # ------------------------------------------------------------------
    # Against the reference, over generated sequences
    # ------------------------------------------------------------------
    @settings(
        max_examples=25,
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        used=st.lists(st.integers(0, 40).map(lambda n: n / 2), min_size=1, max_size=8),
        cap=st.sampled_from([0.0, 2.5, 5.0, 12.0]),
        months=st.integers(1, 3),
        start_day=st.sampled_from([1, 11]),
        # then past months edited: (month index, its new hours; 0 deletes)
        edits=st.lists(
            st.tuples(st.integers(0, 7), st.integers(0, 40).map(lambda n: n / 2)),
            max_size=4,
        ),
    )
    def test_reference(self, used, cap, months, start_day, edits):
        savepoint = self.env.cr.savepoint()
        try:
            start = date(2025, 1, start_day)
            last = month(2025, 1) + relativedelta(months=len(used) - 1)
            end = last.replace(day=calendar.monthrange(last.year, last.month)[1])
            contract, task = self._retainer(start, end, cap=cap, months=months)
            self._log_months(task, start, used)
            self._check_against_reference(contract, start, used)
            # Each edit recomputes the months after it (the stored balance).
            used = list(used)
            for index, hours in edits:
                index %= len(used)
                day = start.replace(day=20) + relativedelta(months=index)
                line = self.env["account.analytic.line"].search(
                    [("task_id", "=", task.id), ("date", "=", day)]
                )
                if line and hours:
                    line.unit_amount = hours
                elif line:
                    line.unlink()
                elif hours:
                    self._log(task, self.senior, day, hours)
                used[index] = hours
                self._check_against_reference(contract, start, used)
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    # ------------------------------------------------------------------
    # Examples
    # ------------------------------------------------------------------
    def test_cap(self):
        contract, task = self._retainer(month(2025, 1), cap=4.0, months=2)
        self._log_months(task, month(2025, 1), [2.0, 10.0])
        balances = self._balances(contract)
        # 8 unused, capped at 4
        self.assertEqual(balances[month(2025, 1)]["carried_out"], 4.0)
        self.assertEqual(balances[month(2025, 2)]["carried_in"], 4.0)

    def test_expiry_after_n_months(self):
        contract, task = self._retainer(month(2025, 1), cap=5.0, months=2)
        self._log_months(task, month(2025, 1), [5.0, 10.0, 10.0, 10.0])
        balances = self._balances(contract)
        self.assertEqual(balances[month(2025, 2)]["carried_in"], 5.0)
        self.assertEqual(balances[month(2025, 3)]["carried_in"], 5.0)
        self.assertEqual(balances[month(2025, 3)]["expired"], 5.0)
        self.assertEqual(balances[month(2025, 4)]["carried_in"], 0.0)

    def test_oldest_first(self):
        contract, task = self._retainer(month(2025, 1), cap=5.0, months=2)
        # January and February each carry 4; March uses 3 of them: January's.
        self._log_months(task, month(2025, 1), [6.0, 6.0, 13.0, 10.0])
        balances = self._balances(contract)
        self.assertEqual(balances[month(2025, 3)]["carried_in"], 8.0)
        self.assertEqual(balances[month(2025, 3)]["used_carried"], 3.0)
        # January's last hour expires at the end of March, February's 4 stay.
        self.assertEqual(balances[month(2025, 3)]["expired"], 1.0)
        self.assertEqual(balances[month(2025, 4)]["carried_in"], 4.0)

    def test_overage_only_above_included_and_carried(self):
        contract, task = self._retainer(month(2025, 1), cap=5.0, months=1)
        self._log_months(task, month(2025, 1), [5.0, 18.0])
        balances = self._balances(contract)
        self.assertEqual(balances[month(2025, 2)]["used_carried"], 5.0)
        self.assertEqual(balances[month(2025, 2)]["overage_hours"], 3.0)
        revenue = self._sums(
            [("contract_id", "=", contract.id), ("row_type", "=", "overage")],
            fields=("revenue",),
        )["revenue"]
        self.assertAlmostEqual(revenue, 3.0 * self.rate)
        # Without rollover the same time is 8 hours of overage.
        contract.rollover_max_hours = 0.0
        revenue = self._sums(
            [("contract_id", "=", contract.id), ("row_type", "=", "overage")],
            fields=("revenue",),
        )["revenue"]
        self.assertAlmostEqual(revenue, 8.0 * self.rate)

    def test_renegotiation_starts_at_zero(self):
        contract, task = self._retainer(month(2025, 1), cap=5.0, months=3)
        self._log_months(task, month(2025, 1), [2.0, 2.0, 14.0])
        successor = self.Contract.create(
            {
                "partner_id": contract.partner_id.id,
                "contract_type": "subscription",
                "previous_contract_id": contract.id,
                "date_start": month(2025, 3),
                "monthly_fee": 1000.0,
                "included_hours": 10.0,
                "overage_rate": self.rate,
                "rollover_max_hours": 5.0,
                "rollover_months": 3,
                "target_margin": 30.0,
            }
        )
        self.assertEqual(contract.date_end, date(2025, 2, 28))
        self.assertEqual(self._balances(contract)[month(2025, 2)]["carried_out"], 10.0)
        march = self._balances(successor)[month(2025, 3)]
        self.assertEqual(march["used"], 14.0)
        self.assertEqual(march["carried_in"], 0.0)
        self.assertEqual(march["overage_hours"], 4.0)
        self.assertAlmostEqual(
            self._analysis(successor)[month(2025, 3)]["overage_hours"], 4.0
        )

    def test_edit_past_time_recomputes_later_months(self):
        contract, task = self._retainer(month(2025, 1), cap=5.0, months=3)
        lines = self._log_months(task, month(2025, 1), [6.0, 10.0, 14.0])
        self.assertEqual(self._analysis(contract)[month(2025, 3)]["overage_hours"], 0.0)
        lines[0].unit_amount = 10.0  # January leaves nothing over
        self._check_against_reference(contract, month(2025, 1), [10.0, 10.0, 14.0])
        self.assertAlmostEqual(
            self._analysis(contract)[month(2025, 3)]["overage_hours"], 4.0
        )
        lines[0].unlink()  # January unused again, capped at 5
        self._check_against_reference(contract, month(2025, 1), [0.0, 10.0, 14.0])
        # A late line in a closed month (February) takes up its own slack only.
        self._log(task, self.senior, date(2025, 2, 3), 1.0)
        self._check_against_reference(contract, month(2025, 1), [0.0, 11.0, 14.0])

    def test_store_marks_saved_lines_only(self):
        contract, task = self._retainer(month(2025, 1))
        self.env.flush_all()
        self.env.cr.precommit.run()
        data = self.env.cr.precommit.data
        # A draft line in a form resolves its contract but stores nothing.
        draft = self.env["account.analytic.line"].new(
            {"project_id": task.project_id.id, "task_id": task.id}
            | {"date": date(2025, 1, 20), "unit_amount": 2.0}
        )
        self.assertEqual(draft.qlibra_contract_id, contract)
        self.assertFalse(data.get("qlibra.months", {}).get("pairs"))
        # A saved one marks its month, which the store then holds.
        self._log(task, self.senior, date(2025, 1, 20), 2.0)
        self.env.flush_all()
        self.assertIn((contract.id, month(2025, 1)), data["qlibra.months"]["pairs"])
        self.assertEqual(self._balances(contract)[month(2025, 1)]["used"], 2.0)

    def test_archive_ends_rollover(self):
        with freezegun.freeze_time("2025-03-10 12:00:00"):
            contract, task = self._retainer(month(2025, 1), cap=5.0, months=3)
            self._log_months(task, month(2025, 1), [5.0, 5.0])
            april = month(2025, 4)
            # January, February and March (so far) each leave 5 hours over.
            self.assertEqual(
                contract._qlibra_rollover_balances([april])[contract.id][april][
                    "carried_in"
                ],
                15.0,
            )
            contract.action_archive()
            self.assertEqual(contract.date_end, date(2025, 3, 10))
            balances = contract._qlibra_rollover_balances([april])[contract.id]
            self.assertEqual(balances[april]["carried_in"], 0.0)
            self.assertEqual(
                sorted(self._balances(contract)),
                [month(2025, 1), month(2025, 2), month(2025, 3)],
            )

    def test_warning_counts_carried_hours(self):
        with freezegun.freeze_time("2025-02-25 12:00:00"):
            contract, task = self._retainer(month(2025, 1), cap=5.0, months=1)
            self._log_months(task, month(2025, 1), [5.0, 9.0])
            self.assertEqual(contract.month_carried_hours, 5.0)
            self.assertEqual(contract.month_hours, 9.0)
            warnings = self.env["qlibra.warning"]._raise_warnings(contract)
            # 9 of 10 included hours would be 90%; of 15 available, 60%.
            self.assertFalse(warnings.filtered(lambda w: w.kind == "consumption"))
            self._log(task, self.senior, date(2025, 2, 21), 4.0)
            warning = (
                self.env["qlibra.warning"]
                ._raise_warnings(contract)
                .filtered(lambda w: w.kind == "consumption")
            )
            self.assertEqual(len(warning), 1)
            self.assertAlmostEqual(warning.value, 13.0 / 15.0 * 100)
            self.assertIn("carried from earlier months", warning.message)

    def test_validation(self):
        contract, _task = self._retainer(month(2025, 1))
        with self.assertRaises(ValidationError):
            contract.rollover_max_hours = -1.0
        with self.assertRaises(ValidationError):
            contract.rollover_months = -2
        with self.assertRaises(ValidationError):
            contract.write({"rollover_max_hours": 3.0, "rollover_months": 0})
