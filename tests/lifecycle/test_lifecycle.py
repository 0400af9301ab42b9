"""Install, update, uninstall and reinstall both add-ons in every scenario
of conftest.SCENARIOS (alone with Timesheets, before and after Sales, and
together with Sales on a Bulgarian company with its chart of accounts): one
test per check. The phases run once per scenario (see conftest.py); the tests read
what they did and found."""

import subprocess
import sys

import pytest
from in_odoo import PROBES
from odoo_db import ROOT
from qlibra_data import (
    CATALOG_LEFTOVERS,
    DEMO_FIGURES,
    RECORD_LEFTOVERS,
    VIEW,
    figure_differences,
    row_differences,
)

PROBE_PARAMS = [
    pytest.param(
        name, id=name, marks=[pytest.mark.scenario_with("sales")] if sales else []
    )
    for name, (_function, sales) in PROBES.items()
]


def failed_runs(phase):
    return {label: status for label, status in phase.statuses.items() if status}


def probe_result(phase, name):
    probes = phase.found["probes"]
    assert probes is not None, "the probes' Odoo process failed: see the Odoo log"
    return probes[name]


# -- a. install (the scenario's steps) -------------------------------------
def test_install_steps_succeed(installed):
    assert not failed_runs(installed), "Odoo failed (see the Odoo log)"


def test_modules_installed(installed):
    assert installed.states == installed.expected


@pytest.mark.scenario_with("country")
def test_company_has_its_country_chart_of_accounts(scenario, installed):
    installed.require()
    chart = installed.found["chart"]
    assert chart is not None, "company_chart failed: see the Odoo log"
    assert (chart["country"], chart["chart_template"]) == (
        scenario.country,
        scenario.country.lower(),
    ), chart
    assert chart["accounts"] > 0, chart


def test_demo_data_loaded(installed):
    installed.require()
    figures = installed.found["snapshot"][0]
    assert figures["contracts active"] > 0, figures
    assert figures["warnings"] > 0, figures
    assert figures["demo timesheets: sum of qlibra_cost"] != "0.00", figures
    assert figures["demo clients: view SUM(revenue)"] != "0.00", figures


# -- b. user edits, then -u of both add-ons ---------------------------------
def test_user_edits_saved(updated):
    assert not updated.statuses["user edits"], "edits failed: see the Odoo log"


def test_update_succeeds(updated):
    assert not failed_runs(updated), "Odoo failed (see the Odoo log)"
    assert updated.states == updated.expected


def test_update_keeps_every_figure(updated):
    before, after = updated.found["before"][0], updated.found["after"][0]
    assert not figure_differences(before, after)


def test_update_keeps_every_row(updated):
    before, after = updated.found["before"][1], updated.found["after"][1]
    assert not row_differences(before, after)


def test_view_exists_after_update(updated):
    assert updated.found["view"], f"view {VIEW} missing"


@pytest.mark.parametrize("probe", PROBE_PARAMS)
def test_odoo_works_with_the_addons(updated, probe):
    passed, detail = probe_result(updated, probe)
    assert passed, detail


# -- c. uninstall both add-ons -------------------------------------------------
def test_uninstall_succeeds(uninstalled):
    assert not failed_runs(uninstalled), "Odoo failed (see the Odoo log)"
    assert uninstalled.states == uninstalled.expected


@pytest.mark.parametrize("kind", CATALOG_LEFTOVERS)
def test_uninstall_leaves_no_database_object(uninstalled, kind):
    assert not uninstalled.found["catalog"][kind]


@pytest.mark.parametrize("model", RECORD_LEFTOVERS)
def test_uninstall_leaves_no_record(uninstalled, model):
    assert not uninstalled.found["records"][model][:20]


def test_uninstall_leaves_no_reference_to_the_addons_models(uninstalled):
    assert not uninstalled.found["references"]


@pytest.mark.parametrize("probe", PROBE_PARAMS)
def test_odoo_works_after_uninstall(uninstalled, probe):
    passed, detail = probe_result(uninstalled, probe)
    assert passed, detail


# -- d. reinstall both add-ons with demo data -----------------------------------
def test_reinstall_succeeds(reinstalled):
    assert not failed_runs(reinstalled), "Odoo failed (see the Odoo log)"
    assert reinstalled.states == reinstalled.expected


def test_reinstall_gives_the_demo_figures_again(installed, reinstalled):
    demo, again = installed.found["snapshot"][0], reinstalled.found["snapshot"][0]
    assert not figure_differences(demo, again, DEMO_FIGURES)


def test_view_exists_after_reinstall(reinstalled):
    assert reinstalled.found["view"], f"view {VIEW} missing"


# -- e. the scenario's Odoo log ------------------------------------------------
def test_odoo_log_is_clean(scenario_log):
    """No WARNING, ERROR or CRITICAL record but those checklog-odoo.cfg
    tolerates (OCA's checklog-odoo, as setup/run_tests.py runs it)."""
    config = ROOT / "checklog-odoo.cfg"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "checklog_odoo",
            *(["--config", str(config)] if config.exists() else []),
            "--no-err-if-empty",
            str(scenario_log),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
