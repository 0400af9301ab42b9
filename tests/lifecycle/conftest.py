"""Fixtures of the lifecycle tests: one database per scenario, and the
phases of its life (install, update, uninstall, reinstall), each run once.

Run them with pytest-odoo disabled (they start Odoo processes of their own)::

    python -m pytest -p no:odoo tests/lifecycle [-k hr_timesheet] \
        [--lifecycle-logfile odoo.log] [--lifecycle-database qlibra_lifecycle]

A phase records what Odoo did and what the database holds afterwards; the
tests check those records, one check per test, in any order. A phase whose
predecessor failed is skipped, and so are its tests.
"""

import os
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager, suppress
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from odoo_db import ROOT, Database
from qlibra_data import ADDONS, VIEW, bridge_states, leftovers, snapshot

# ----------------------------------------------------------------------
# Scenarios
# ----------------------------------------------------------------------
SALES = "sale_timesheet"


@dataclass(frozen=True)
class Step:
    """A run of Odoo's command line (``odoo``, with its arguments), or of a
    function of in_odoo.py (``call``, with its name and arguments)."""

    action: str
    arguments: tuple

    def __str__(self):
        if self.action == "odoo":
            return " ".join(self.arguments)
        return f"{self.arguments[0]}{self.arguments[1:]}"

    def run(self, database):
        """Run the step; return its exit status."""
        if self.action == "odoo":
            return database.odoo(*self.arguments)
        return database.call(*self.arguments)[0]


def install(*modules, options=()):
    return Step("odoo", ("-i", ",".join(modules), *options))


def update(*modules):
    return Step("odoo", ("-u", ",".join(modules)))


@dataclass(frozen=True)
class Scenario:
    """How a database gets both add-ons (``steps``), and what else it holds."""

    name: str
    steps: tuple
    sales: bool = False
    country: str = ""

    @property
    def modules(self):
        """The modules installed at the end of the steps."""
        sales = (SALES,) if self.sales else ()
        chart = (f"l10n_{self.country.lower()}",) if self.country else ()
        return (*ADDONS, *sales, *chart)


SCENARIOS = (
    Scenario("hr_timesheet", (install(*ADDONS),)),
    Scenario(
        "qlibra_then_sales",
        (install(*ADDONS), install(SALES), update(SALES)),
        sales=True,
    ),
    Scenario(
        "sales_then_qlibra",
        (install(SALES), install(*ADDONS), update(SALES)),
        sales=True,
    ),
    # Both in one command, on a Bulgarian company with its chart of accounts
    # (the two were separate scenarios that repeated the same install).
    Scenario(
        "together_bulgarian",
        (
            install("base", options=("--load-language=bg_BG",)),
            Step("call", ("set_company_country", "BG")),
            install(SALES, *ADDONS),
        ),
        sales=True,
        country="BG",
    ),
)


# ----------------------------------------------------------------------
# Options, markers, selection, summary
# ----------------------------------------------------------------------
def pytest_addoption(parser):
    group = parser.getgroup("lifecycle", "qLibra lifecycle tests")
    group.addoption(
        "--lifecycle-addons-path",
        help="Odoo addons path (default: setup/common.sh's addons_path)",
    )
    group.addoption(
        "--lifecycle-logfile",
        help="Odoo log of every run, appended (default: a temporary file)",
    )
    group.addoption(
        "--lifecycle-database",
        default="qlibra_lifecycle",
        help="database name prefix; a scenario's database is <prefix>_<scenario>",
    )
    group.addoption(
        "--lifecycle-scenario",
        action="append",
        help="run only this scenario (repeatable; default: all)",
    )
    group.addoption(
        "--lifecycle-installs",
        help="file where a scenario whose whole install is kept for another "
        "(fixture templates) writes '<scenario> <database>', for the test "
        "command's set-ups to copy while the scenarios run",
    )
    group.addoption(
        "--lifecycle-keep-db",
        action="store_true",
        default=os.environ.get("QLIBRA_KEEP_DB") == "1",
        help="keep the databases (also QLIBRA_KEEP_DB=1)",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "scenario_with(attribute): only in scenarios where that attribute "
        "of the Scenario is true (sales, country)",
    )
    if config.pluginmanager.has_plugin("odoo"):
        raise pytest.UsageError(
            "tests/lifecycle/ runs Odoo in processes of its own: "
            "disable pytest-odoo with -p no:odoo"
        )


def pytest_collection_modifyitems(config, items):
    """Leave out the tests that do not apply to a scenario, and those of
    the scenarios not asked for (--lifecycle-scenario)."""
    wanted = config.getoption("--lifecycle-scenario")
    kept, left_out = [], []
    for item in items:
        scenario = getattr(item, "callspec", None) and item.callspec.params.get(
            "scenario"
        )
        applies = scenario is None or (
            all(
                getattr(scenario, marker.args[0])
                for marker in item.iter_markers("scenario_with")
            )
            and (not wanted or scenario.name in wanted)
        )
        (kept if applies else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


DURATIONS = {}


def pytest_terminal_summary(terminalreporter):
    if not DURATIONS:
        return
    terminalreporter.section("lifecycle scenarios: durations (s)")
    for name, phases in DURATIONS.items():
        detail = ", ".join(f"{phase} {round(seconds)}" for phase, seconds in phases)
        total = round(sum(seconds for _phase, seconds in phases))
        terminalreporter.write_line(f"{name}: {total} ({detail})")


# ----------------------------------------------------------------------
# Fixtures
# ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def lifecycle_options(request, tmp_path_factory):
    config = request.config
    addons_path = config.getoption("--lifecycle-addons-path")
    if not addons_path:
        addons_path = subprocess.run(
            ["bash", "-c", ". setup/common.sh; addons_path"],
            cwd=ROOT,
            env=dict(os.environ, PYTHON=sys.executable),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    logfile = config.getoption("--lifecycle-logfile")
    logfile = Path(logfile) if logfile else tmp_path_factory.mktemp("log") / "odoo.log"
    logfile.touch()
    return {
        "addons_path": addons_path,
        "logfile": logfile.resolve(),
        "database": config.getoption("--lifecycle-database"),
        "keep_db": config.getoption("--lifecycle-keep-db"),
        "installs": config.getoption("--lifecycle-installs"),
    }


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda scenario: scenario.name)
def scenario(request):
    return request.param


@dataclass
class Phase:
    """What one phase did (``statuses``: the exit status of each Odoo run,
    by label), the state of the modules afterwards (``states``, and what
    they should be: ``expected``) and anything else it found (``found``)."""

    name: str
    statuses: dict = field(default_factory=dict)
    expected: dict = field(default_factory=dict)
    states: dict = field(default_factory=dict)
    found: dict = field(default_factory=dict)

    def read_states(self, database, expected):
        """Read the states of the modules of ``expected`` and of the
        add-ons' bridges, installed with their dependencies."""
        self.expected = dict(expected)
        self.states = database.module_states(expected)
        for name, (state, expected_state) in bridge_states(database).items():
            self.states[name] = state
            self.expected[name] = expected_state

    @property
    def ok(self):
        return not any(self.statuses.values()) and self.states == self.expected

    def require(self):
        if not self.ok:
            pytest.skip(
                f"phase '{self.name}' failed: exit statuses {self.statuses}, "
                f"modules {self.states}"
            )


@pytest.fixture(scope="module")
def database(scenario, lifecycle_options, tmp_path_factory):
    """The scenario's database, new; dropped at the end (unless kept)."""
    options = lifecycle_options
    name = f"{options['database']}_{scenario.name}"
    if len(name) > 63:  # PostgreSQL would cut it, and scenarios could collide
        pytest.fail(f"database name longer than 63 characters: {name}")
    db = Database(
        name,
        options["addons_path"],
        options["logfile"],
        tmp_path_factory.mktemp(scenario.name),
    )
    db.drop()
    db.log_start = options["logfile"].stat().st_size
    db.durations = DURATIONS.setdefault(scenario.name, [])
    yield db
    if not options["keep_db"]:
        db.drop()


@contextmanager
def timed(database, name):
    """Add the duration of the block to the scenario's durations."""
    started = time.monotonic()
    try:
        yield
    finally:
        database.durations.append((name, time.monotonic() - started))


def probe_names(scenario):
    # imported late: in_odoo imports Odoo, which nothing else here needs
    from in_odoo import PROBES

    return [name for name, (_f, sales) in PROBES.items() if scenario.sales or not sales]


@pytest.fixture(scope="session")
def templates(request, lifecycle_options):
    """First steps that several of the scenarios run begin with are run once:
    {steps: (a copy of the database after them, their exit statuses)}, for
    the next scenario that begins with them; dropped at the end."""
    wanted = request.config.getoption("--lifecycle-scenario")
    steps = [s.steps for s in SCENARIOS if not wanted or s.name in wanted]
    counts = Counter(first[:k] for first in steps for k in range(1, len(first) + 1))
    shared = {first: None for first, count in counts.items() if count > 1}
    yield shared
    for template in filter(None, shared.values()):
        if not lifecycle_options["keep_db"]:
            template[0].drop()


@pytest.fixture(scope="module")
def installed(scenario, database, templates, lifecycle_options):
    """The scenario's steps run (those it shares with a scenario run before,
    on a copy of that one's database); the demo snapshot taken."""
    phase = Phase("install")
    steps = scenario.steps
    with timed(database, "install"):
        done = max(
            (k for k in range(len(steps) + 1) if templates.get(steps[:k])), default=0
        )
        if done:
            template, statuses = templates[steps[:done]]
            database.contrib("copydb", template.name, database.name)
            phase.statuses.update(statuses)
        for k, step in enumerate(steps[done:], done + 1):
            phase.statuses[str(step)] = step.run(database)
            if phase.statuses[str(step)]:
                break
            if steps[:k] in templates and not templates[steps[:k]]:
                template = copy(database)
                template.name = f"{database.name}_{k}"
                database.contrib("copydb", database.name, template.name)
                templates[steps[:k]] = (template, dict(phase.statuses))
                if k == len(steps) and lifecycle_options["installs"]:
                    with open(
                        lifecycle_options["installs"], "a", encoding="utf-8"
                    ) as out:
                        out.write(f"{scenario.name} {template.name}\n")
        phase.read_states(database, dict.fromkeys(scenario.modules, "installed"))
        if phase.ok:
            phase.found["snapshot"] = snapshot(database)
            if scenario.country:
                phase.found["chart"] = database.call("company_chart")[1]
    return phase


@pytest.fixture(scope="module")
def updated(scenario, database, installed):
    """User edits, then ``-u`` of both add-ons; Odoo's screens probed."""
    installed.require()
    phase = Phase("update")
    with timed(database, "update"):
        status, phase.found["edits"] = database.call("edit_as_user")
        phase.statuses["user edits"] = status
        phase.found["before"] = snapshot(database)
        phase.statuses["-u " + ",".join(ADDONS)] = database.update(ADDONS)
        phase.read_states(database, dict.fromkeys(scenario.modules, "installed"))
        phase.found["after"] = snapshot(database)
        phase.found["view"] = database.relation_exists(VIEW, "v")
        phase.found["probes"] = database.call("probe", probe_names(scenario))[1]
    return phase


@pytest.fixture(scope="module")
def uninstalled(scenario, database, updated):
    """Both add-ons uninstalled; their leftovers listed; Odoo probed."""
    updated.require()
    phase = Phase("uninstall")
    with timed(database, "uninstall"):
        status, phase.found["uninstalled"] = database.call("uninstall", list(ADDONS))
        phase.statuses["uninstall " + ",".join(ADDONS)] = status
        expected = dict.fromkeys(scenario.modules, "installed")
        phase.read_states(database, expected | dict.fromkeys(ADDONS, "uninstalled"))
        catalog, records, references = leftovers(database)
        phase.found.update(catalog=catalog, records=records, references=references)
        phase.found["probes"] = database.call("probe", probe_names(scenario))[1]
    return phase


@pytest.fixture(scope="module")
def reinstalled(scenario, database, uninstalled):
    """Both add-ons installed again with their demo data."""
    uninstalled.require()
    phase = Phase("reinstall")
    with timed(database, "reinstall"):
        phase.statuses["-i " + ",".join(ADDONS)] = database.install(ADDONS)
        phase.read_states(database, dict.fromkeys(scenario.modules, "installed"))
        phase.found["snapshot"] = snapshot(database)
        phase.found["view"] = database.relation_exists(VIEW, "v")
    return phase


@pytest.fixture(scope="module")
def scenario_log(request, database, tmp_path_factory):
    """The Odoo log of the whole scenario (once every phase that could run
    has run), as a file of its own."""
    # a phase that failed skips the next ones: check the log of what ran
    with suppress(pytest.skip.Exception):
        request.getfixturevalue("reinstalled")
    logfile = Path(database.logfile)
    with open(logfile, "rb") as log:
        log.seek(database.log_start)
        text = log.read()
    path = tmp_path_factory.mktemp("log") / f"{database.name}.log"
    path.write_bytes(text)
    return path
