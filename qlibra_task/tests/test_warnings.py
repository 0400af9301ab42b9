# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import threading
import time
from datetime import date

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged
from odoo.tools.misc import format_amount

from odoo.addons.qlibra_task.models.res_partner import suggested_fee

_logger = logging.getLogger(__name__)

# Monday 16 March 2026. On a Monday-to-Friday calendar March has 22 working
# days, 10 of them before the 16th: the pace projects hours before today x 2.2.
TODAY = date(2026, 3, 16)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-16 10:00:00")
class TestWarnings(TransactionCase):
    """Early warnings, with a cost of 60 an hour (50 + 20% overhead)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.write(
            {"qlibra_overhead_rate": 20.0, "qlibra_warning_threshold": 80.0}
        )
        calendar = cls.env["resource.calendar"].create(
            {"name": "Warnings 40h", "tz": "UTC", "company_id": cls.company.id}
        )
        cls.company.resource_calendar_id = calendar
        # Public holidays in March would change the working days.
        cls.env["resource.calendar.leaves"].search(
            [
                ("resource_id", "=", False),
                ("calendar_id", "in", [False, calendar.id]),
                ("date_from", "<", "2026-04-01"),
                ("date_to", ">", "2026-03-01"),
            ]
        ).unlink()
        cls.Warning = cls.env["qlibra.warning"]
        cls.account_manager = new_test_user(
            cls.env,
            login="warn_account_manager",
            groups="base.group_user,qlibra_task.group_qlibra_manager,"
            "project.group_project_manager",
        )
        cls.project_manager = new_test_user(
            cls.env,
            login="warn_project_manager",
            groups="base.group_user,project.group_project_manager",
        )
        cls.employee = cls.env["hr.employee"].create(
            {"name": "Warned Accountant", "hourly_cost": 50.0}
        )
        # Subscriptions of 20 included hours a month.
        cls.sub_threshold = cls._subscription("Threshold", before=16)
        cls.sub_full = cls._subscription("Full", before=20)
        cls.sub_pace = cls._subscription("Pace", before=10)
        cls.sub_calm = cls._subscription("Calm", before=9)
        cls.sub_today = cls._subscription("Today", before=8, today=8)
        # Fixed-price jobs of 1,200.
        cls.fixed_client = cls._client("Fixed Price Client")
        cls.fixed_contract = cls._contract(
            cls.fixed_client, "fixed_price", date(2026, 1, 1)
        )
        cls.fixed_project = cls._project(
            cls.fixed_client, cls.fixed_contract, user=cls.project_manager
        )
        cls.task_80 = cls._task(cls.fixed_project, "Job at 80%", 1200.0)
        cls.subtask_80 = cls.env["project.task"].create(
            {
                "name": "Change asked on the job",
                "project_id": cls.fixed_project.id,
                "parent_id": cls.task_80.id,
            }
        )
        cls._log(cls.task_80, date(2026, 3, 3), 10)
        cls._log(cls.subtask_80, date(2026, 3, 4), 6)
        cls.task_100 = cls._task(cls.fixed_project, "Job over price", 1200.0)
        cls._log(cls.task_100, date(2026, 3, 5), 21)
        cls.task_75 = cls._task(cls.fixed_project, "Job at 75%", 1200.0)
        cls._log(cls.task_75, date(2026, 3, 5), 15)
        cls.task_done = cls._task(cls.fixed_project, "Job done", 1200.0)
        cls._log(cls.task_done, date(2026, 3, 5), 25)
        cls.task_done.state = "1_done"
        # Projects made by the system have OdooBot, who is inactive, as manager.
        cls.project_without_manager = cls._project(
            cls.fixed_client, cls.fixed_contract, user=cls.env.ref("base.user_root")
        )
        cls.task_no_pm = cls._task(cls.project_without_manager, "Job", 1000.0)
        cls._log(cls.task_no_pm, date(2026, 3, 6), 14)
        # A subscription losing money over December to February.
        cls.losing_client = cls._client("Losing Client")
        cls.losing_contract = cls._contract(
            cls.losing_client,
            "subscription",
            date(2025, 12, 1),
            monthly_fee=1000.0,
            included_hours=40.0,
        )
        losing_task = cls._task(cls._project(cls.losing_client, cls.losing_contract))
        for day in (date(2025, 12, 10), date(2026, 1, 12), date(2026, 2, 10)):
            cls._log(losing_task, day, 20)

    @classmethod
    def _client(cls, name):
        return cls.env["res.partner"].create({"name": name, "is_company": True})

    @classmethod
    def _contract(cls, partner, contract_type, start, **vals):
        return cls.env["qlibra.contract"].create(
            {
                "partner_id": partner.id,
                "contract_type": contract_type,
                "date_start": start,
                "target_margin": 30.0,
                "user_id": cls.account_manager.id,
                **vals,
            }
        )

    @classmethod
    def _project(cls, partner, contract, user=None):
        return cls.env["project.project"].create(
            {
                "name": f"Project {partner.name}",
                "partner_id": partner.id,
                "allow_timesheets": True,
                "qlibra_contract_id": contract.id,
                "user_id": (cls.project_manager if user is None else user).id,
            }
        )

    @classmethod
    def _task(cls, project, name="Task", price=0.0):
        return cls.env["project.task"].create(
            {"name": name, "project_id": project.id, "qlibra_fixed_price": price}
        )

    @classmethod
    def _log(cls, task, day, hours):
        return cls.env["account.analytic.line"].create(
            {
                "name": "Work",
                "project_id": task.project_id.id,
                "task_id": task.id,
                "employee_id": cls.employee.id,
                "date": day,
                "unit_amount": hours,
            }
        )

    @classmethod
    def _subscription(cls, name, before, today=0.0):
        """A subscription of 20 hours a month, with this month's hours logged
        before today and today."""
        client = cls._client(f"Subscription {name}")
        contract = cls._contract(
            client,
            "subscription",
            date(2026, 3, 1),
            monthly_fee=1000.0,
            included_hours=20.0,
        )
        task = cls._task(cls._project(client, contract))
        if before:
            cls._log(task, date(2026, 3, 2), before)
        if today:
            cls._log(task, TODAY, today)
        return contract

    def _run(self):
        self.env.flush_all()
        return self.env["qlibra.contract"]._cron_raise_warnings()

    def _summary(self, record):
        warnings = self.Warning.search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
        )
        return {(w.kind, w.threshold, round(w.value, 2)) for w in warnings}

    def _activities(self, record):
        return self.env["mail.activity"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
        )

    def _notes(self, record):
        return self.env["mail.message"].search(
            [
                ("model", "=", record._name),
                ("res_id", "=", record.id),
                ("subtype_id", "=", self.env.ref("mail.mt_note").id),
                # not the e-mail telling the user of the new activity
                ("message_type", "!=", "user_notification"),
            ]
        )

    # ------------------------------------------------------------------
    # Subscriptions
    # ------------------------------------------------------------------
    def test_month_figures_and_projection(self):
        figures = (self.sub_pace | self.sub_today)._qlibra_month_figures()
        self.assertEqual(figures[self.sub_pace.id]["working_days"], 22)
        self.assertEqual(figures[self.sub_pace.id]["elapsed_days"], 10)
        self.assertAlmostEqual(figures[self.sub_pace.id]["projected_hours"], 22.0)
        # Today's hours count as used, not for the pace of finished days.
        self.assertAlmostEqual(figures[self.sub_today.id]["hours"], 16.0)
        self.assertAlmostEqual(figures[self.sub_today.id]["hours_before"], 8.0)
        self.assertAlmostEqual(figures[self.sub_today.id]["projected_hours"], 17.6)
        # A contract starting on Monday 9th: 5 of its 17 working days are over.
        client = self._client("Started Mid-month")
        late = self._contract(
            client,
            "subscription",
            date(2026, 3, 9),
            monthly_fee=1000.0,
            included_hours=20.0,
        )
        self._log(self._task(self._project(client, late)), date(2026, 3, 10), 5)
        figures = late._qlibra_month_figures()[late.id]
        self.assertEqual(figures["elapsed_days"], 5)
        self.assertEqual(figures["working_days"], 17)
        self.assertAlmostEqual(figures["projected_hours"], 17.0)
        # The contract form shows the same.
        self.assertAlmostEqual(self.sub_pace.month_hours, 10.0)
        self.assertAlmostEqual(self.sub_pace.consumption_percent, 50.0)
        self.assertAlmostEqual(self.sub_pace.projected_hours, 22.0)
        self.assertAlmostEqual(self.sub_threshold.projected_hours, 35.2)

    def test_subscription_thresholds(self):
        self._run()
        self.assertEqual(
            self._summary(self.sub_threshold),
            {("consumption", 80.0, 80.0), ("projection", 100.0, 176.0)},
        )
        # 100% reached: one warning, the 80% one is not raised as well.
        self.assertEqual(self._summary(self.sub_full), {("overrun", 100.0, 100.0)})
        self.assertEqual(self._summary(self.sub_pace), {("projection", 100.0, 110.0)})
        # 9 hours in 10 of 22 days project 19.8 hours: 99%, no warning.
        self.assertEqual(self._summary(self.sub_calm), set())
        self.assertEqual(self._summary(self.sub_today), {("consumption", 80.0, 80.0)})

        activities = self._activities(self.sub_threshold)
        self.assertEqual(len(activities), 2)
        self.assertEqual(activities.user_id, self.account_manager)
        self.assertEqual(
            set(activities.activity_type_id.ids),
            {
                self.env.ref("qlibra_task.mail_activity_type_qlibra_consumption").id,
                self.env.ref("qlibra_task.mail_activity_type_qlibra_overrun").id,
            },
        )
        self.assertEqual(activities.mapped("date_deadline"), [TODAY, TODAY])
        notes = self._notes(self.sub_threshold)
        self.assertEqual(len(notes), 2)
        body = " ".join(notes.mapped("body"))
        # Hours as HH:MM, as Odoo shows them on screens.
        self.assertIn("16:00 of the 20:00 hours", body)
        self.assertIn("(80.0%)", body)
        self.assertIn("35:12 hours this month, 176.0%", body)
        self.assertIn("16:00 hours in the first 10 of 22 working days", body)
        self.assertIn("the first 10 of 22 working days", body)
        full_note = self._notes(self.sub_full)
        self.assertIn("100.0% of the 20:00 hours", full_note.body)

    def test_company_threshold(self):
        self.company.qlibra_warning_threshold = 45.0
        self._run()
        self.assertEqual(self._summary(self.sub_calm), {("consumption", 45.0, 45.0)})
        self.assertEqual(
            self._summary(self.sub_pace),
            {("consumption", 45.0, 50.0), ("projection", 100.0, 110.0)},
        )

    def test_contract_form_last_warning(self):
        arch = (
            self.env["qlibra.contract"]
            .with_user(self.account_manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        for fname in ("consumption_percent", "projected_hours", "last_warning_id"):
            self.assertIn(f'name="{fname}"', arch)
        self.assertFalse(self.sub_full.last_warning_id)
        self._run()
        self.sub_full.invalidate_recordset(["last_warning_id", "last_warning_message"])
        self.assertEqual(self.sub_full.last_warning_id.kind, "overrun")
        self.assertIn("20:00 hours this month", self.sub_full.last_warning_message)

    # ------------------------------------------------------------------
    # Fixed price
    # ------------------------------------------------------------------
    def test_fixed_price_thresholds(self):
        self._run()
        # 16 hours, sub-task included, x 60 = 960: 80% of 1,200.
        self.assertEqual(self._summary(self.task_80), {("fixed_price", 80.0, 80.0)})
        # 21 x 60 = 1,260: 105%, one warning at 100%.
        self.assertEqual(self._summary(self.task_100), {("fixed_price", 100.0, 105.0)})
        self.assertEqual(self._summary(self.task_75), set())
        self.assertEqual(self._summary(self.task_done), set())
        # 14 x 60 = 840: 84% of 1,000, for the account manager.
        self.assertEqual(self._summary(self.task_no_pm), {("fixed_price", 80.0, 84.0)})

        activity = self._activities(self.task_80)
        self.assertEqual(activity.user_id, self.project_manager)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("qlibra_task.mail_activity_type_qlibra_fixed_price"),
        )
        self.assertEqual(
            self._activities(self.task_no_pm).user_id, self.account_manager
        )
        # Nothing in the task's chatter, read by every employee on the
        # project; the project manager, a plain employee for qLibra, gets the
        # warning without the figures; the contract's chatter (managers) and
        # the account manager (a qLibra manager) get them.
        self.assertFalse(self._notes(self.task_80))
        self.assertEqual(activity.summary, "Fixed-price job to review")
        for text in ("960.00", "1,200.00", "of its fixed price"):
            self.assertNotIn(text, activity.note)
        self.assertIn("needs a review", activity.note)
        manager_activity = self._activities(self.task_no_pm)
        self.assertIn("84.0% of its fixed price", manager_activity.note)
        contract_note = self._notes(self.fixed_contract).filtered(
            lambda message: "Job at 80%" in message.body
        )
        self.assertEqual(len(contract_note), 1)
        self.assertIn("960.00", contract_note.body)
        self.assertIn("80.0% of its fixed price of", contract_note.body)
        self.assertIn("1,200.00", contract_note.body)
        warning = self.Warning.search([("task_id", "=", self.task_80.id)])
        self.assertEqual(warning.contract_id, self.fixed_contract)
        self.assertEqual(warning.partner_id, self.fixed_client)

    def test_employees_do_not_read_money_in_contract_chatter(self):
        self._run()
        employee = new_test_user(
            self.env, login="warn_employee", groups="base.group_user"
        )
        contract = self.losing_contract.with_user(employee)
        self.assertEqual(contract.name, self.losing_contract.name)
        Message = self.env["mail.message"].with_user(employee)
        domain = [("model", "=", "qlibra.contract"), ("res_id", "=", contract.id)]
        self.assertTrue(self._notes(self.losing_contract))
        self.assertFalse(Message.search(domain))
        with self.assertRaises(AccessError):
            self._notes(self.losing_contract).with_user(employee).read(["body"])
        with self.assertRaises(AccessError):
            self._activities(self.losing_contract).with_user(employee).read(["note"])
        manager_messages = self.env["mail.message"].with_user(self.account_manager)
        self.assertTrue(manager_messages.search(domain))

    # ------------------------------------------------------------------
    # Renegotiation
    # ------------------------------------------------------------------
    def test_suggested_fee_rounding(self):
        # 700 / (1 - 30%) = 1,000 exactly: not rounded up to 1,010.
        self.assertEqual(suggested_fee(700.0, 30.0), 1000.0)
        # 701 / 0.7 = 1,001.43: up to the next whole 10.
        self.assertEqual(suggested_fee(701.0, 30.0), 1010.0)
        self.assertEqual(suggested_fee(1200.0, 30.0), 1720.0)
        self.assertEqual(suggested_fee(0.0, 30.0), 0.0)

    def test_renegotiation(self):
        figures = self.losing_client._qlibra_figures()[self.losing_client.id]
        # 3 x 1,000 fee against 3 x 20 hours x 60 = 3,600 of cost.
        self.assertAlmostEqual(figures["trailing_revenue"], 3000.0)
        self.assertAlmostEqual(figures["trailing_cost"], 3600.0)
        self.assertAlmostEqual(figures["trailing_margin_percent"], -20.0)
        self.assertTrue(figures["to_renegotiate"])
        self.assertEqual(figures["suggested_fee"], 1720.0)
        flagged = self.env["res.partner"].search([("qlibra_to_renegotiate", "=", True)])
        self.assertIn(self.losing_client, flagged)
        self.assertNotIn(self.fixed_client, flagged)

        self._run()
        self.assertEqual(
            self._summary(self.losing_contract), {("renegotiation", 30.0, -20.0)}
        )
        activity = self._activities(self.losing_contract)
        self.assertEqual(activity.user_id, self.account_manager)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("qlibra_task.mail_activity_type_qlibra_renegotiation"),
        )
        self.assertIn("1,720.00", activity.summary)
        note = self._notes(self.losing_contract)
        self.assertIn("-20.0%, below the target of 30.0%", note.body)
        self.assertRegex(note.body, r"revenue \S*\s?3,000\.00\S*, cost \S*\s?3,600\.00")
        self.assertRegex(note.body, r"Current monthly fee: \S*\s?1,000\.00")
        self.assertRegex(note.body, r"suggested monthly fee: \S*\s?1,720\.00")

    def test_renegotiation_without_figures_for_a_plain_account_manager(self):
        """An account manager who may not read margins gets the warning, not
        the margin, the costs or the suggested fee."""
        self.losing_contract.user_id = self.project_manager
        self._run()
        activity = self._activities(self.losing_contract)
        self.assertEqual(activity.user_id, self.project_manager)
        self.assertEqual(activity.summary, "Client to renegotiate")
        for text in ("1,720", "3,600", "3,000", "-20.0", "1,000"):
            self.assertNotIn(text, activity.note)
        self.assertIn("should be renegotiated", activity.note)
        # The contract's chatter, read by managers only, has the figures.
        self.assertIn(
            "-20.0%, below the target of 30.0%", self._notes(self.losing_contract).body
        )

    # ------------------------------------------------------------------
    # Language and number format of the reader
    # ------------------------------------------------------------------
    def test_texts_are_written_when_read(self):
        """A warning keeps its figures, not a text: each reader reads it in
        their own language, numbers in their own format."""
        self.assertFalse(self.Warning._fields["summary"].store)
        self.assertFalse(self.Warning._fields["message"].store)
        self._run()
        warning = self.Warning.search([("contract_id", "=", self.losing_contract.id)])
        self.assertEqual(warning.kind, "renegotiation")
        self.assertEqual(warning.params["suggested"], 1720.0)
        self.assertEqual(warning.params["currency_id"], self.company.currency_id.id)
        self.assertEqual(warning.params["margin"], -20.0)
        english = warning.with_user(self.account_manager).with_context(lang="en_US")
        self.assertIn("1,720.00", english.summary)
        self.assertIn("-20.0%, below the target of 30.0%", english.message)
        self.assertEqual(english.display_name, english.summary)
        # Found by client, contract or task, not by its (computed) text.
        self.assertIn(
            warning, self.Warning.search([("display_name", "ilike", "Losing")])
        )
        hours = self.Warning.search(
            [("contract_id", "=", self.sub_threshold.id), ("kind", "=", "projection")]
        )
        params = hours.params
        self.assertAlmostEqual(params.pop("projected_percent"), 176.0)
        self.assertEqual(
            params,
            {
                "hours": 16.0,
                "included": 20.0,
                "percent": 80.0,
                "threshold": 80.0,
                "projected": 35.2,
                "before": 16.0,
                "elapsed": 10,
                "days": 22,
            },
        )
        self.assertIn("35:12 hours this month", hours.message)

    def test_bulgarian_reader(self):
        """A Bulgarian account manager reads the warnings, activities and
        chatter notes in Bulgarian, with Bulgarian number format (res.lang
        bg_BG: decimal comma, no thousands separator) and hours as HH:MM."""
        Lang = self.env["res.lang"]
        Lang._activate_lang("bg_BG")
        bulgarian = Lang._lang_get("bg_BG")
        self.assertEqual(bulgarian.decimal_point, ",")
        bg_manager = new_test_user(
            self.env,
            login="warn_bg_manager",
            groups="base.group_user,qlibra_task.group_qlibra_manager",
            lang="bg_BG",
        )
        (self.losing_contract | self.sub_threshold).user_id = bg_manager
        self._run()
        env_bg = self.env(user=bg_manager, context={"lang": "bg_BG"})
        currency = self.company.currency_id
        fee = format_amount(env_bg, 1720.0, currency)
        self.assertIn("1720,00", fee)

        # The activity, written in its recipient's language.
        activity = self._activities(self.losing_contract)
        self.assertEqual(activity.user_id, bg_manager)
        self.assertIn(fee, activity.summary)
        self.assertNotIn("1,720.00", activity.summary)
        # Needs the bg.po entry of msgid
        # "Renegotiate: suggested monthly fee %(suggested)s".
        self.assertEqual(
            activity.summary, f"Предоговаряне: предложена месечна такса {fee}"
        )
        self.assertIn("-20,0%", activity.note)
        self.assertIn("3600,00", activity.note)

        # The contract's chatter note, in the account manager's language.
        body = " ".join(self._notes(self.sub_threshold).mapped("body"))
        self.assertIn("16:00", body)
        self.assertIn("20:00", body)
        self.assertIn("35:12", body)
        self.assertIn("(80,0%)", body)
        self.assertIn("176,0%", body)
        self.assertNotIn("16.00", body)
        # Needs the bg.po entry of msgid "%(client)s has used %(hours)s of the
        # %(included)s hours included this month in %(contract)s ..."
        self.assertIn(
            "Този месец за Subscription Threshold са използвани 16:00 от 20:00 часа",
            body,
        )

        # The early warning itself, read in the web client (lang in the
        # context): the Bulgarian reader in Bulgarian, the English one in
        # English, from the same record.
        warning = self.Warning.search([("contract_id", "=", self.losing_contract.id)])
        read_bg = warning.with_env(env_bg)
        self.assertIn("1720,00", read_bg.summary)
        self.assertIn("-20,0%", read_bg.message)
        # Needs the bg.po entry of msgid "The margin of %(client)s over the
        # last 3 full months is ..."
        self.assertIn("Маржът на Losing Client", read_bg.message)
        read_en = warning.with_user(self.account_manager).with_context(lang="en_US")
        self.assertIn("1,720.00", read_en.summary)
        hours_bg = self.Warning.search(
            [("contract_id", "=", self.sub_threshold.id), ("kind", "=", "consumption")]
        ).with_env(env_bg)
        self.assertIn("16:00", hours_bg.message)
        self.assertIn("80,0", hours_bg.summary)

    def test_warning_raised_before_figures_were_kept(self):
        """Rows raised by an earlier version hold their text in the columns
        of the old stored fields and no figures: that text is shown."""
        cr = self.env.cr
        cr.execute(
            "ALTER TABLE qlibra_warning ADD COLUMN IF NOT EXISTS summary varchar,"
            " ADD COLUMN IF NOT EXISTS message text"
        )
        self._run()
        old, new = self.Warning.search(
            [("contract_id", "=", self.sub_threshold.id)], order="kind"
        )
        cr.execute(
            "UPDATE qlibra_warning SET params = NULL, summary = %s, message = %s"
            " WHERE id = %s",
            ["80.0% of the included hours used", "Used 16.00 hours.", old.id],
        )
        self.Warning.invalidate_model()
        self.assertEqual(old.summary, "80.0% of the included hours used")
        self.assertEqual(old.message, "Used 16.00 hours.")
        self.assertEqual(new.kind, "projection")
        self.assertIn("35:12", new.message)

    def test_warnings_are_handled_or_dismissed(self):
        self._run()
        warnings = self.Warning.search([])
        self.assertTrue(warnings)
        self.assertEqual(set(warnings.mapped("state")), {"new"})
        first, second = warnings[:2]
        first.with_user(self.account_manager).action_mark_handled()
        second.with_user(self.account_manager).action_dismiss()
        self.assertEqual((first.state, second.state), ("handled", "dismissed"))
        to_handle = self.Warning.search([("state", "=", "new")])
        self.assertNotIn(first, to_handle)
        second.with_user(self.account_manager).action_reopen()
        self.assertEqual(second.state, "new")
        with self.assertRaises(AccessError):
            first.with_user(self.project_manager).action_reopen()
        # Running again raises nothing new: a handled warning stays handled.
        self._run()
        self.assertEqual(first.state, "handled")
        self.assertEqual(self.Warning.search_count([]), len(warnings))

    def test_employees_cannot_search_money_flags(self):
        """Searching clients by a manager-only flag would tell who loses
        money: refused, over RPC as in the web client."""
        Partner = self.env["res.partner"].with_user(self.project_manager)
        for flag in ("qlibra_losing_money", "qlibra_to_renegotiate"):
            with self.subTest(flag=flag), self.assertRaises(AccessError):
                Partner.search([(flag, "=", True)])
        manager = self.env["res.partner"].with_user(self.account_manager)
        self.assertIn(
            self.losing_client, manager.search([("qlibra_to_renegotiate", "=", True)])
        )

    def test_other_company(self):
        """Warnings of every company, each visible in its own company only."""
        other = self.env["res.company"].create({"name": "Other Firm"})
        other.resource_calendar_id = self.company.resource_calendar_id.copy(
            {"company_id": other.id}
        )
        client = self.env["res.partner"].create(
            {"name": "Other Client", "is_company": True, "company_id": other.id}
        )
        contract = self._contract(
            client,
            "subscription",
            date(2025, 12, 1),
            monthly_fee=1000.0,
            included_hours=40.0,
            company_id=other.id,
        )
        project = self.env["project.project"].create(
            {
                "name": "Other Project",
                "partner_id": client.id,
                "company_id": other.id,
                "allow_timesheets": True,
                "qlibra_contract_id": contract.id,
                "user_id": self.project_manager.id,
            }
        )
        task = self._task(project)
        employee = self.env["hr.employee"].create(
            {"name": "Other Accountant", "hourly_cost": 50.0, "company_id": other.id}
        )
        for day in (date(2025, 12, 10), date(2026, 1, 12), date(2026, 2, 10)):
            self.env["account.analytic.line"].create(
                {
                    "name": "Work",
                    "project_id": project.id,
                    "task_id": task.id,
                    "employee_id": employee.id,
                    "date": day,
                    "unit_amount": 20,
                }
            )
        self.env["account.analytic.line"].create(
            {
                "name": "Work",
                "project_id": project.id,
                "task_id": task.id,
                "employee_id": employee.id,
                "date": date(2026, 3, 2),
                "unit_amount": 40,
            }
        )
        self.env.flush_all()
        # The scheduler's user belongs to the first company only.
        self.env["qlibra.contract"].with_context(
            allowed_company_ids=self.company.ids
        )._cron_raise_warnings()
        # 3 x 1,000 against 3 x 20 x 50 (no overhead in that company).
        self.assertEqual(
            self._summary(contract),
            {("renegotiation", 30.0, 0.0), ("overrun", 100.0, 100.0)},
        )
        warnings = self.Warning.search([("contract_id", "=", contract.id)])
        self.assertEqual(warnings.company_id, other)
        visible = self.Warning.with_user(self.account_manager).search([])
        self.assertTrue(visible)
        self.assertFalse(visible & warnings)

    # ------------------------------------------------------------------
    # Idempotence and scale
    # ------------------------------------------------------------------
    def test_second_run_raises_nothing(self):
        first = self._run()
        mine = first.filtered(
            lambda w: (
                w.partner_id
                in (
                    self.sub_threshold
                    | self.sub_full
                    | self.sub_pace
                    | self.sub_today
                    | self.losing_contract
                    | self.fixed_contract
                ).partner_id
            )
        )
        self.assertEqual(len(mine), 9)
        activities = self.env["mail.activity"].search_count([])
        messages = self.env["mail.message"].search_count([])
        self.assertFalse(self._run())
        self.assertFalse(self._run())
        self.assertEqual(self.env["mail.activity"].search_count([]), activities)
        self.assertEqual(self.env["mail.message"].search_count([]), messages)
        # Reaching the next threshold raises that one only.
        self._log(self.sub_threshold.project_ids.task_ids, TODAY, 4)
        second = self._run()
        self.assertEqual([(w.kind, w.threshold) for w in second], [("overrun", 100.0)])
        self.assertEqual(second.contract_id, self.sub_threshold)
        # A new month starts over.
        with freeze_time("2026-04-01 10:00:00"):
            self._log(self.sub_full.project_ids.task_ids, date(2026, 4, 1), 20)
            april = self._run()
        self.assertIn(self.sub_full, april.contract_id)
        self.assertEqual(set(april.mapped("period")), {date(2026, 4, 1)})

    def test_claim_skips_existing_rows(self):
        """The INSERT ... ON CONFLICT DO NOTHING path on its own."""
        candidate = {
            "kind": "overrun",
            "record": self.sub_full,
            "contract": self.sub_full,
            "user": self.account_manager,
            "threshold": 100.0,
            "value": 100.0,
            "params": {"hours": 20.0, "included": 20.0, "percent": 100.0},
        }
        period = TODAY.replace(day=1)
        first = self.Warning._claim([candidate], period)
        self.assertEqual(len(first), 1)
        self.assertEqual(self.Warning._claim([candidate, candidate], period), [])

    def _add_clients(self, count, prefix):
        """Healthy clients: a subscription at 25% and a job at 50% of its price.

        The first of each batch is over its threshold, so that each run
        raises exactly one warning whatever the number of clients.
        """
        for index in range(count):
            client = self._client(f"{prefix} {index}")
            contract = self._contract(
                client,
                "subscription",
                date(2026, 3, 1),
                monthly_fee=1000.0,
                included_hours=40.0,
            )
            task = self._task(self._project(client, contract))
            self._log(task, date(2026, 3, 2), 40 if index == 0 else 10)
            fixed_client = self._client(f"{prefix} fixed {index}")
            fixed = self._contract(fixed_client, "fixed_price", date(2026, 1, 1))
            job = self._task(self._project(fixed_client, fixed), "Job", 1200.0)
            self._log(job, date(2026, 3, 3), 10)

    def _count_queries(self):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        warnings = self._run()
        self.env.flush_all()
        return self.cr.sql_log_count - start, warnings

    def test_queries_do_not_grow_with_clients(self):
        self._run()  # raise the fixtures' warnings and warm the caches
        self._add_clients(5, "Few")
        few, few_warnings = self._count_queries()
        self._add_clients(45, "Many")
        many, many_warnings = self._count_queries()
        self.assertEqual(len(few_warnings), 1)
        self.assertEqual(len(many_warnings), 1)
        # Nothing new to raise: evaluating 5 or 50 more clients costs the same.
        idle, _warnings = self._count_queries()
        _logger.info(
            "Early warnings: %s queries with 5 more clients, %s with 50, %s idle",
            few,
            many,
            idle,
        )
        self.assertEqual(few, many, "queries grow with the number of clients")
        self.assertLess(idle, few)


@tagged("post_install", "-at_install")
class TestWarningsConcurrency(TransactionCase):
    """Two workers run the action at the same moment: one warning.

    The fixture is committed through its own cursors, as two workers need
    data they both see, and is removed at the end.
    """

    def _commit_fixture(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            today = fields.Date.context_today(env["qlibra.contract"])
            employee = env["hr.employee"].create(
                {"name": "Concurrent Accountant", "hourly_cost": 10.0}
            )
            work_contact = employee.work_contact_id
            client = env["res.partner"].create(
                {"name": "Concurrent Client", "is_company": True}
            )
            contract = env["qlibra.contract"].create(
                {
                    "partner_id": client.id,
                    "contract_type": "subscription",
                    "date_start": today.replace(day=1),
                    "monthly_fee": 100.0,
                    "included_hours": 10.0,
                    "target_margin": 30.0,
                    "user_id": env.ref("base.user_admin").id,
                }
            )
            project = env["project.project"].create(
                {
                    "name": "Concurrent Project",
                    "partner_id": client.id,
                    "allow_timesheets": True,
                    "qlibra_contract_id": contract.id,
                }
            )
            task = env["project.task"].create(
                {"name": "Concurrent Task", "project_id": project.id}
            )
            line = env["account.analytic.line"].create(
                {
                    "name": "Work",
                    "project_id": project.id,
                    "task_id": task.id,
                    "employee_id": employee.id,
                    "date": today,
                    "unit_amount": 12.0,
                }
            )
            return {
                "employee": employee.id,
                "work_contact": work_contact.id,
                "client": client.id,
                "contract": contract.id,
                "project": project.id,
                "account": project.account_id.id,
                "task": task.id,
                "line": line.id,
            }

    def _drop_fixture(self, ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["account.analytic.line"].browse(ids["line"]).unlink()
            env["project.task"].browse(ids["task"]).unlink()
            env["project.project"].browse(ids["project"]).unlink()
            env["account.analytic.account"].browse(ids["account"]).exists().unlink()
            env["qlibra.contract"].browse(ids["contract"]).unlink()
            env["res.partner"].browse(ids["client"]).unlink()
            env["hr.employee"].browse(ids["employee"]).unlink()
            env["res.partner"].browse(ids["work_contact"]).exists().unlink()

    def _raise_for(self, env, contract_id):
        contract = env["qlibra.contract"].browse(contract_id)
        warnings = env["qlibra.warning"]._raise_warnings(contract)
        env.flush_all()
        return warnings.ids

    def test_two_cursors_raise_one_warning(self):
        ids = self._commit_fixture()
        self.addCleanup(self._drop_fixture, ids)
        result = {}
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            cr_b.execute("SELECT pg_backend_pid()")
            pid_b = cr_b.fetchone()[0]
            # Worker A raises the warning and has not committed yet.
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            result["a"] = self._raise_for(env_a, ids["contract"])
            self.assertEqual(len(result["a"]), 1)
            # Built here: the registry lock is held while tests run at install.
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})

            def worker_b():
                try:
                    result["b"] = self._raise_for(env_b, ids["contract"])
                except Exception as error:  # reported by the assertion below
                    result["b"] = error

            thread = threading.Thread(target=worker_b)
            thread.start()
            # Worker B reaches the same INSERT and waits for A's row.
            waited = self._wait_for_lock(pid_b, thread)
            cr_a.commit()
            thread.join(timeout=60)
            self.assertFalse(thread.is_alive(), "worker B is stuck")
            self.assertTrue(waited, "worker B did not wait for worker A")
            self.assertEqual(result["b"], [])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            contract_domain = [
                ("res_model", "=", "qlibra.contract"),
                ("res_id", "=", ids["contract"]),
            ]
            warnings = env["qlibra.warning"].search(contract_domain)
            self.assertEqual(len(warnings), 1)
            self.assertEqual(warnings.kind, "overrun")
            self.assertEqual(env["mail.activity"].search_count(contract_domain), 1)
            self.assertEqual(
                env["mail.message"].search_count(
                    [
                        ("model", "=", "qlibra.contract"),
                        ("res_id", "=", ids["contract"]),
                        ("subtype_id", "=", env.ref("mail.mt_note").id),
                        ("message_type", "!=", "user_notification"),
                    ]
                ),
                1,
            )

    def _wait_for_lock(self, pid, thread, timeout=20):
        """Whether the backend pid waited on a lock before the thread ended."""
        deadline = time.monotonic() + timeout
        with self.registry.cursor() as cr:
            while time.monotonic() < deadline and thread.is_alive():
                cr.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                    [pid],
                )
                row = cr.fetchone()
                cr.rollback()
                if row and row[0] == "Lock":
                    return True
                time.sleep(0.05)
        return False
