"""Test run behind setup/test.sh: lint, Odoo tests, pytest-odoo, log check.

1. lint: ``ruff check``, ``ruff format --check`` (add-ons, tests, setup,
   benchmarks), pylint-odoo's mandatory checks (``.pylintrc-mandatory``) and
   OCA's ``oca-checks-odoo-module`` / ``oca-checks-po`` (XML, CSV, PO);
2. for each set-up of ``SETUPS`` (Timesheets alone; Sales with timesheet
   billing and Invoicing), a fresh database with the apps of that set-up and
   both add-ons installed with demo data, then on it:
   a. the add-ons' own tests (``--test-enable --test-tags /<addon>,...``),
   b. the end-to-end tests in tests/ (pytest-odoo),
   c. Odoo's own suites of the apps the add-ons live with, less the tests
      that fail on plain Odoo 18.0 too (``setup/odoo_known_failures.txt``);
3. upgrade safety and install orders (``upgrade_checks``);
4. OCA's ``checklog-odoo`` (``checklog-odoo.cfg``): no WARNING, ERROR or
   CRITICAL record in the Odoo logs of 2 and 3;
5. the last line is ``N passed, N failed`` (``, N skipped`` when some were):
   tests of 2 and 3, plus one failure per failed check (lint tool, Odoo run
   that crashed, log check). Exit status 0 only when nothing failed.

Environment: QLIBRA_TEST_DB (database name), QLIBRA_KEEP_DB=1 (keep it),
QLIBRA_SKIP_LINT=1 (skip step 1), QLIBRA_SKIP_ODOO_SUITES=1 (skip 2c),
QLIBRA_SKIP_UPGRADE=1 (skip step 3), QLIBRA_SETUPS=timesheet,sales (the
set-ups of step 2, default all).
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent

# '%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s'
RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>[^\s:]+): (?P<message>.*)$"
)
ODOO_RESULT = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database"
)
ODOO_SKIP = re.compile(r"^odoo\.addons\.\S+$")

# The set-ups the add-ons are tested in: (name, database suffix, Odoo apps
# installed beside them, Odoo's own suites run there). Odoo's hr_timesheet
# and project suites run once, in the set-up with Sales, which holds them.
SETUPS = (
    ("timesheet", "", ("hr_timesheet",), ()),
    (
        "sales",
        "_sales",
        # OCA's cost history beside Sales: its bridge's tests run here.
        ("sale_timesheet", "hr_employee_cost_history"),
        ("hr_timesheet", "project", "sale_project", "sale_timesheet"),
    ),
)
KNOWN_FAILURES = ROOT / "setup" / "odoo_known_failures.txt"


def banner(title):
    print(f"\n===== {title}", flush=True)


def run(cmd, **kwargs):
    print("$ " + " ".join(str(part) for part in cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, check=False, **kwargs).returncode


def run_tee(cmd, logfile):
    """Run cmd, copy its output (stdout and stderr) to the terminal and logfile."""
    print("$ " + " ".join(str(part) for part in cmd), flush=True)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with (
        open(logfile, "w", encoding="utf-8") as log,
        subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        ) as proc,
    ):
        for line in proc.stdout:
            sys.stdout.write(line)
            log.write(line)
        sys.stdout.flush()
    return proc.returncode


def records(logfile):
    """Yield (level, logger, message lines) per log record; continuation
    lines (tracebacks, multi-line messages) belong to the record before."""
    current = None
    for line in (
        Path(logfile).read_text(encoding="utf-8", errors="replace").splitlines()
    ):
        match = RECORD.match(line)
        if match:
            if current:
                yield current
            current = [match["level"], match["logger"], [match["message"]]]
        elif current:
            current[2].append(line)
    if current:
        yield current


def checklog(logfile):
    """OCA's checklog-odoo on one Odoo log: True when it is clean."""
    return (
        run(
            [
                BIN / "checklog-odoo",
                "--config",
                ROOT / "checklog-odoo.cfg",
                "--no-err-if-empty",
                logfile,
            ]
        )
        == 0
    )


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# One HTTP port for every Odoo run on the test database: browser tests store
# http://localhost:<port> as web.base.url, and Odoo's own suites compare the
# links in their mails with the port of their own run.
HTTP_PORT = free_port()


def db_exists(db):
    out = subprocess.run(
        [
            "psql",
            "-d",
            "postgres",
            "-Atc",
            "select 1 from pg_database where datname = :'db'",
            "-v",
            f"db={db}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() == "1"


def drop_db(db):
    if db_exists(db):
        run([PYTHON, "-m", "odoo", "db", "drop", db])


def python_files(*folders):
    return sorted(
        str(path.relative_to(ROOT))
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
    )


def lint(addons):
    """Run the linters; return the names of those that failed."""
    checks = {
        "ruff check": [PYTHON, "-m", "ruff", "check", "--no-fix", "."],
        "ruff format": [PYTHON, "-m", "ruff", "format", "--check", "."],
        "pylint-odoo": [
            PYTHON,
            "-m",
            "pylint",
            "--rcfile=.pylintrc-mandatory",
            "--output-format=text",
            *addons,
            *python_files("tests"),
        ],
        # Command-line scripts report on stdout: print is their job.
        "pylint-odoo (scripts)": [
            PYTHON,
            "-m",
            "pylint",
            "--rcfile=.pylintrc-mandatory",
            "--disable=print-used",
            "--output-format=text",
            *python_files("setup", "benchmarks"),
        ],
        "README.rst up to date": [PYTHON, "setup/gen_addon_readme.py", "--check"],
        # XML, CSV and PO checks (OCA's odoo-pre-commit-hooks, as in its template)
        "oca-checks-odoo-module": [BIN / "oca-checks-odoo-module", *addons],
    }
    po_files = sorted(
        str(path.relative_to(ROOT))
        for addon in addons
        for path in (ROOT / addon).rglob("*.po")
    )
    if po_files:
        checks["oca-checks-po"] = [
            BIN / "oca-checks-po",
            "--disable=po-pretty-format",
            *po_files,
        ]
    return [name for name, cmd in checks.items() if run(cmd) != 0]


def repo_addons():
    """Every add-on of the repository (manifestoo), bridges included."""
    out = subprocess.run(
        [
            BIN / "manifestoo",
            "--no-addons-path-from-import-odoo",
            "--select-addons-dir",
            ROOT,
            "list",
            "--separator",
            ",",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().split(",")


def known_failures():
    """Odoo's own tests that fail on plain Odoo 18.0 here, as test tags."""
    tags = []
    for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines():
        tag = line.split("#", 1)[0].strip()
        if tag:
            tags.append(tag)
    return tags


def odoo_tests(db, addons, addons_path, logfile, update=None, tags=None):
    """Install (or, with update, update) modules and run the tests of tags.

    Return (run, failed, errors, skipped, crashed)."""
    rc = run_tee(
        [
            PYTHON,
            "-m",
            "odoo",
            f"--addons-path={addons_path}",
            "-d",
            db,
            "-u" if update else "-i",
            ",".join(update or addons),
            "--test-enable",
            "--test-tags",
            ",".join(tags or [f"/{addon}" for addon in addons]),
            "--stop-after-init",
            "--log-level=test",
            f"--http-port={HTTP_PORT}",
        ],
        logfile,
    )
    result, skipped = None, 0
    for level, logger, lines in records(logfile):
        match = ODOO_RESULT.match(lines[0])
        if logger == "odoo.tests.result" and match:
            result = match
        elif (
            level == "INFO"
            and ODOO_SKIP.match(logger)
            and lines[0].startswith("skipped ")
        ):
            skipped += 1
    if not result:
        print(f"Odoo exited with status {rc} without a test result line", flush=True)
        return 0, 0, 0, 0, True
    run_, failed, errors = (int(result[key]) for key in ("run", "failed", "errors"))
    crashed = rc != 0 and not (failed or errors)
    if crashed:
        print(f"Odoo exited with status {rc}", flush=True)
    return run_, failed, errors, skipped, crashed


def junit_counts(junit):
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if Path(junit).exists():
        for suite in ET.parse(junit).getroot().iter("testsuite"):
            for key in counts:
                counts[key] += int(suite.get(key, 0))
    return counts


def pytest_result(rc, junit):
    """(run, failed, errors, skipped, crashed) of a pytest run from its exit
    status and junit XML."""
    counts = junit_counts(junit)
    crashed = rc not in (0, 1) or (
        rc == 1 and not counts["failures"] + counts["errors"]
    )
    if crashed:
        print(f"pytest exited with status {rc}", flush=True)
    return (
        counts["tests"],
        counts["failures"],
        counts["errors"],
        counts["skipped"],
        crashed,
    )


def pytest_tests(db, addons_path, logfile, junit):
    """Run tests/ with pytest-odoo. Return (run, failed, errors, skipped, crashed)."""
    rc = run(
        [
            PYTHON,
            "-m",
            "pytest",
            "tests/",
            f"--rootdir={ROOT}",
            "-p",
            "no:cacheprovider",
            "-v",
            f"--junitxml={junit}",
            f"--odoo-database={db}",
            f"--odoo-addons-path={addons_path}",
            "--odoo-log-level=info",
            f"--odoo-extra=logfile={logfile}",
        ]
    )
    if rc == 5:  # no tests collected
        return 0, 0, 0, 0, False
    return pytest_result(rc, junit)


def upgrade_checks(db, addons_path, logfile, junit):
    """Run the lifecycle tests (tests/lifecycle/: install in every order,
    update, uninstall, reinstall) on databases named ``<db>_<scenario>``;
    every Odoo run logs to logfile (checked by the caller).

    Return (run, failed, errors, skipped, crashed)."""
    rc = run(
        [
            PYTHON,
            "-m",
            "pytest",
            "-p",
            "no:odoo",  # pytest-odoo: the tests start Odoo processes of their own
            "-p",
            "no:cacheprovider",
            "tests/lifecycle",
            f"--rootdir={ROOT}",
            f"--basetemp={Path(junit).parent / 'lifecycle'}",
            "-v",
            f"--junitxml={junit}",
            f"--lifecycle-addons-path={addons_path}",
            f"--lifecycle-logfile={logfile}",
            f"--lifecycle-database={db}",
        ]
    )
    return pytest_result(rc, junit)


class Totals:
    """Counts of every step, and the checks that failed."""

    def __init__(self):
        self.counts = [0, 0, 0, 0]  # run, failed, errors, skipped
        self.failed_checks = []
        self.lines = []

    def add(self, label, result):
        *counts, crashed = result
        self.counts = [a + b for a, b in zip(self.counts, counts, strict=True)]
        self.lines.append(
            f"{label}: {counts[1]} failed, {counts[2]} error(s) "
            f"of {counts[0]} tests, {counts[3]} skipped"
        )
        if crashed:
            self.failed_checks.append(f"{label} (crashed)")


def test_setup(setup, db, addons, addons_path, logdir, totals):
    """Steps 2a-2c in one set-up; return the Odoo logs written.

    addons are installed; the tests of every add-on of the repository run,
    so bridges that the set-up auto-installs are tested there."""
    name, _suffix, apps, suites = setup
    logs = [logdir / f"{name}-odoo-tests.log", logdir / f"{name}-pytest-odoo.log"]
    banner(
        f"[{name}] Odoo: install {', '.join(apps + tuple(addons))} with demo data "
        f"into {db}, run the add-ons' tests"
    )
    drop_db(db)
    totals.add(
        f"[{name}] add-on tests",
        odoo_tests(
            db, (*apps, *addons), addons_path, logs[0], tags=addons_tags(repo_addons())
        ),
    )

    banner(f"[{name}] pytest-odoo: tests/ against {db}")
    totals.add(
        f"[{name}] pytest tests/",
        pytest_tests(db, addons_path, logs[1], logdir / f"{name}-junit.xml"),
    )

    if not suites:
        return logs
    if os.environ.get("QLIBRA_SKIP_ODOO_SUITES") == "1":
        banner(f"[{name}] Odoo's own suites skipped (QLIBRA_SKIP_ODOO_SUITES=1)")
        return logs
    banner(f"[{name}] Odoo's own {', '.join(suites)} suites with both add-ons")
    logs.append(logdir / f"{name}-odoo-suites.log")
    totals.add(
        f"[{name}] Odoo's suites",
        odoo_tests(
            db,
            addons,
            addons_path,
            logs[-1],
            update=suites,
            tags=[f"/{suite}" for suite in suites]
            + [f"-{test}" for test in known_failures()],
        ),
    )
    return logs


def addons_tags(addons):
    return [f"/{addon}" for addon in addons]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addons", required=True, help="comma-separated add-ons")
    parser.add_argument("--addons-path", required=True)
    args = parser.parse_args()
    addons = args.addons.split(",")
    db = os.environ.get("QLIBRA_TEST_DB") or (
        f"qlibra_test_{time.strftime('%Y%m%d%H%M%S')}_{os.getpid()}"
    )
    wanted = os.environ.get("QLIBRA_SETUPS")
    setups = [s for s in SETUPS if not wanted or s[0] in wanted.split(",")]
    logdir = Path(tempfile.mkdtemp(prefix=f"{db}.", suffix=".logs"))
    totals = Totals()
    started = time.time()

    if os.environ.get("QLIBRA_SKIP_LINT") == "1":
        banner("Lint skipped (QLIBRA_SKIP_LINT=1)")
    else:
        banner("Lint: ruff, pylint-odoo, OCA checks")
        totals.failed_checks += [f"lint ({name})" for name in lint(repo_addons())]

    logs = []
    for setup in setups:
        setup_db = db + setup[1]
        try:
            logs += test_setup(
                setup, setup_db, addons, args.addons_path, logdir, totals
            )
        finally:
            if os.environ.get("QLIBRA_KEEP_DB") == "1":
                print(f"\nKeeping database {setup_db} (QLIBRA_KEEP_DB=1)")
            else:
                drop_db(setup_db)

    if os.environ.get("QLIBRA_SKIP_UPGRADE") == "1":
        banner("Upgrade check skipped (QLIBRA_SKIP_UPGRADE=1)")
    else:
        banner("Lifecycle: install in every order, update, uninstall, reinstall")
        logs.append(logdir / "odoo-lifecycle.log")
        totals.add(
            "lifecycle tests",
            upgrade_checks(
                f"{db}_lc", args.addons_path, logs[-1], logdir / "lifecycle-junit.xml"
            ),
        )

    banner("Log check (checklog-odoo): no WARNING, ERROR or CRITICAL record")
    dirty = [log.name for log in logs if log.exists() and not checklog(log)]
    if dirty:
        totals.failed_checks.append(f"log check ({', '.join(dirty)})")
    else:
        print("clean")

    run_, failed, errors, skipped = totals.counts
    banner("Summary")
    for line in totals.lines:
        print(line)
    print(f"Logs: {logdir}")
    print(f"Duration: {round(time.time() - started)} s")
    print(
        "Failed checks: "
        + (", ".join(totals.failed_checks) if totals.failed_checks else "none")
    )
    n_failed = failed + errors + len(totals.failed_checks)
    n_passed = run_ - failed - errors - skipped
    summary = f"{n_passed} passed, {n_failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    print(summary, flush=True)
    return 1 if n_failed else 0


if __name__ == "__main__":
    sys.exit(main())
