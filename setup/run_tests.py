"""The test run behind setup/test.sh: README.md ("The two commands") says what
its jobs run and the environment variables it reads."""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
ENV = os.environ.get

ODOO_RESULT = re.compile(
    r" odoo\.tests\.result: (?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) "
    r"of (?P<run>\d+) tests when loading database"
)
# What a failed job prints: pytest's failures, Odoo's errors, linters' findings.
FAILURE = re.compile(r"^.*(?:FAILED|ERROR|CRITICAL|FAIL:|F\d{4}|E\d{4}).*$", re.M)
ODOO_SKIP = re.compile(r"^\S+ \S+ \d+ INFO \S+ odoo\.addons\.\S+: skipped ", re.M)

# (name, database suffix, apps installed beside the add-ons, test tags (none:
# every add-on's), Odoo's suites, the lifecycle scenario whose install it copies)
SALES_ADDONS = "account", "sale", "hr_cost_history", "reports"
SALES_TAGS = "qlibra_sales", *(f"/qlibra_task_{addon}" for addon in SALES_ADDONS)
SALES_SUITES = "hr_timesheet", "project", "sale_project", "sale_timesheet"
SETUPS = (
    ("timesheet", "_ts", ("hr_timesheet",), (), (), "hr_timesheet"),
    ("sales", "_sales", ("sale_timesheet", "hr_employee_cost_history"))
    + (SALES_TAGS, SALES_SUITES, None),
)
# The lifecycle's installs ('<scenario> <database>' lines), and scenarios over.
INSTALLS = {"file": None, "over": set()}
KNOWN_FAILURES = ROOT / "setup" / "odoo_known_failures.txt"


def run(cmd, out):
    """Run cmd with its output appended to the file out; return its status."""
    with open(out, "a", encoding="utf-8") as log:
        log.write("$ " + " ".join(str(part) for part in cmd) + "\n")
        log.flush()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        return subprocess.call(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)


def dropdb(db, out):
    run([BIN / "click-odoo-dropdb", "--if-exists", db], out)


def files(folders, pattern="*.py"):
    paths = (path for folder in folders for path in (ROOT / folder).rglob(pattern))
    return sorted(str(path.relative_to(ROOT)) for path in paths)


def repo_addons():
    """Every add-on of the repository (manifestoo), bridges included."""
    cmd = [BIN / "manifestoo", "--no-addons-path-from-import-odoo"]
    cmd += ["--select-addons-dir", ROOT, "list", "--separator", ","]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return out.strip().split(",")


def known_failures():
    """Odoo's own tests that fail on plain Odoo 18.0 here, as test tags."""
    lines = KNOWN_FAILURES.read_text(encoding="utf-8").splitlines()
    return [tag for line in lines if (tag := line.split("#", 1)[0].strip())]


class Job:
    """Results (label, run, failed, errors, skipped, crashed), output, Odoo logs."""

    def __init__(self, name, logdir):
        self.name, self.logdir = name, logdir
        self.out = logdir / f"{name}.out"
        self.odoo_log = logdir / f"{name}-odoo.log"  # checked when written
        self.results, self.logs, self.seconds = [], [self.odoo_log], 0

    def add(self, label, run_, failed=0, errors=0, skipped=0, crashed=False):
        self.results.append((label, run_, failed, errors, skipped, crashed))

    def failed(self):
        return any(r[2] or r[3] or r[5] for r in self.results)

    def odoo(self, db, addons_path, port, *args):
        """Run Odoo on db (stop after init), logging to the job's Odoo log."""
        cmd = [PYTHON, "-m", "odoo", f"--addons-path={addons_path}", "-d", db]
        cmd += ["--stop-after-init", f"--http-port={port}"]
        return run([*cmd, f"--logfile={self.odoo_log}", *args], self.out)

    def odoo_tests(self, label, db, addons_path, port, tags, *args):
        """Run the tests of tags (after installing what args say)."""
        args += ("--test-enable", "--test-tags", tags)
        status = self.odoo(db, addons_path, port, *args)
        text = self.odoo_log.read_text(encoding="utf-8", errors="replace")
        result = ODOO_RESULT.search(text)
        if not result:
            return self.add(label, 0, crashed=True)
        counts = [int(result[key]) for key in ("run", "failed", "errors")]
        skipped = len(ODOO_SKIP.findall(text))
        crashed = status != 0 and not (counts[1] or counts[2])
        self.add(label, *counts, skipped, crashed)

    def pytest(self, label, args):
        """Run pytest with args; count its junit XML."""
        junit = self.logdir / f"{self.name}-junit.xml"
        cmd = [PYTHON, "-m", "pytest", "-p", "no:cacheprovider", f"--rootdir={ROOT}"]
        status = run([*cmd, "-v", f"--junitxml={junit}", *args], self.out)
        counts = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
        if junit.exists():
            for suite in ET.parse(junit).getroot().iter("testsuite"):
                for key in counts:
                    counts[key] += int(suite.get(key, 0))
        failures = counts["failures"] + counts["errors"]
        crashed = status not in (0, 1) or (status == 1 and not failures)
        self.add(label, *counts.values(), crashed)


def lint(job):
    addons, pylint = repo_addons(), [PYTHON, "-m", "pylint"]
    pylint += ["--rcfile=.pylintrc-mandatory", "--output-format=text"]
    scripts, po = files(["setup", "benchmarks"]), files(addons, "*.po")
    checks = {
        "ruff check": [PYTHON, "-m", "ruff", "check", "--no-fix", "."],
        "ruff format": [PYTHON, "-m", "ruff", "format", "--check", "."],
        "pylint-odoo": [*pylint, *addons, *files(["tests"])],
        # command-line scripts report on stdout: print is their job
        "pylint-odoo (scripts)": [*pylint, "--disable=print-used", *scripts],
        "README.rst up to date": [PYTHON, "setup/gen_addon_readme.py", "--check"],
        # XML, CSV and PO checks (OCA's odoo-pre-commit-hooks, as its template)
        "oca-checks-odoo-module": [BIN / "oca-checks-odoo-module", *addons],
        "oca-checks-po": [BIN / "oca-checks-po", "--disable=po-pretty-format", *po],
    }
    for name, cmd in checks.items():
        if run(cmd, job.out):
            job.add(f"lint ({name})", 0, crashed=True)


def test_setup(job, setup, db, addons, addons_path, port):
    """A set-up: install and the add-ons' tests in one Odoo run, then tests/."""
    _name, _suffix, apps, tags, suites, scenario = setup
    tags = tags or tuple(f"/{addon}" for addon in repo_addons())
    label = "add-on tests"
    if suites and ENV("QLIBRA_SKIP_ODOO_SUITES") != "1":
        tags += tuple(f"/{suite}" for suite in suites)
        tags += tuple(f"-{test}" for test in known_failures())
        label += " and Odoo's suites"
    try:
        modules = ",".join((*apps, *addons))
        if copy_install(job, scenario, db, addons_path):  # add the rest, then test
            # web.base.url as an install on this port sets it (links in mails)
            url = f"http://localhost:{port}"
            sql = f"UPDATE ir_config_parameter SET value = '{url}' WHERE key = "
            run(["psql", "-d", db, "-qc", sql + "'web.base.url'"], job.out)
            status = job.odoo(db, addons_path, port, "-i", modules)
            job.add("install on the lifecycle's copy", 0, crashed=bool(status))
            job.odoo_tests(label, db, addons_path, port, ",".join(tags))
        else:  # install and test in one run
            dropdb(db, job.out)
            job.odoo_tests(label, db, addons_path, port, ",".join(tags), "-i", modules)
        log = job.logdir / f"{job.name}-pytest-odoo.log"
        job.logs.append(log)
        job.pytest(
            "pytest tests/",
            ["tests/", f"--odoo-database={db}", f"--odoo-addons-path={addons_path}"]
            + ["--odoo-log-level=info", f"--odoo-extra=logfile={log}"],
        )
    finally:
        if ENV("QLIBRA_KEEP_DB") != "1":
            dropdb(db, job.out)


def copy_install(job, scenario, db, addons_path):
    """Copy the lifecycle's install of scenario once made; False if it won't be."""
    path = INSTALLS["file"]
    while scenario and path and scenario not in INSTALLS["over"]:
        words = path.read_text(encoding="utf-8").split() if path.exists() else []
        source = dict(zip(words[::2], words[1::2], strict=True)).get(scenario)
        if source:
            # the copy loads the new database's registry: give it the addons
            config = job.logdir / "odoo.cfg"
            config.write_text(f"[options]\naddons_path = {addons_path}\n")
            copy = [BIN / "click-odoo-copydb", "-c", config, source, db]
            return not run(copy + [f"--logfile={job.odoo_log}"], job.out)
        time.sleep(5)
    return False


def lifecycle(job, scenarios, db, addons_path):
    """Scenarios of tests/lifecycle, each on the database <db>_<scenario>."""
    try:
        job.pytest(
            "tests",
            ["-p", "no:odoo", "tests/lifecycle", f"--basetemp={job.logdir / job.name}"]
            + [f"--lifecycle-scenario={scenario}" for scenario in scenarios]
            + [f"--lifecycle-database={db}", f"--lifecycle-addons-path={addons_path}"]
            + [f"--lifecycle-logfile={job.odoo_log}"]
            + [f"--lifecycle-installs={INSTALLS['file']}"],
        )
    finally:
        INSTALLS["over"].update(scenarios)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lifecycle_scenarios():
    """The lifecycle's scenarios grouped by their first step, run once a group."""
    sys.path.insert(0, str(ROOT / "tests" / "lifecycle"))
    from conftest import SCENARIOS  # noqa: PLC0415 (pytest's conftest, imported here)

    groups = {}
    for scenario in SCENARIOS:
        groups.setdefault(scenario.steps[0], []).append(scenario.name)
    return list(groups.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addons", required=True, help="comma-separated add-ons")
    parser.add_argument("--addons-path", required=True)
    args = parser.parse_args()
    addons, path = args.addons.split(","), args.addons_path
    db = ENV("QLIBRA_TEST_DB") or f"qlibra_test_{time.strftime('%Y%m%d%H%M%S')}"
    logdir = Path(tempfile.mkdtemp(prefix=f"{db}.", suffix=".logs"))
    port = int(ENV("QLIBRA_HTTP_PORT") or 0)
    wanted = (ENV("QLIBRA_SETUPS") or "timesheet,sales").split(",")
    started = time.monotonic()

    # (job name, function, arguments), the longest first; each set-up its own
    # port (never 0 + i: Chromium refuses port 1 as unsafe)
    setups = [
        (setup[0], test_setup, (setup, db + setup[1], addons, path, port_))
        for i, setup in enumerate(SETUPS)
        for port_ in [port + i if port else free_port()]
        if setup[0] in wanted
    ]
    scenarios = []
    if ENV("QLIBRA_SKIP_UPGRADE") != "1":
        INSTALLS["file"] = logdir / "lifecycle-installs.txt"
        scenarios = [
            (f"lifecycle-{'+'.join(names)}", lifecycle, (names, f"{db}_lc", path))
            for names in lifecycle_scenarios()
        ]
    jobs = setups[1:] + scenarios[:1] + setups[:1] + scenarios[1:]
    if ENV("QLIBRA_SKIP_LINT") != "1":
        jobs.append(("lint", lint, ()))
    print(f"Jobs ({ENV('QLIBRA_JOBS') or 3} at a time), logs in {logdir}:", flush=True)

    def start(name, function, arguments):
        job = Job(name, logdir)
        begin = time.monotonic()
        print(f"[{name}] started at {round(begin - started)} s", flush=True)
        try:
            function(job, *arguments)
        except Exception as error:  # noqa: BLE001 (counted as a failed check)
            job.add(f"{error!r}", 0, crashed=True)
        job.seconds = time.monotonic() - begin
        state = "FAILED" if job.failed() else "ok"
        steps = "; ".join(f"{r[0]}: {r[1]} run" for r in job.results)
        print(f"[{name}] {round(job.seconds)} s, {state}; {steps}", flush=True)
        return job

    with ThreadPoolExecutor(int(ENV("QLIBRA_JOBS") or 3)) as pool:
        done = list(pool.map(lambda job: start(*job), jobs))

    print("\n===== Log check (checklog-odoo): no WARNING, ERROR or CRITICAL record")
    checklog = [BIN / "checklog-odoo", "--config", ROOT / "checklog-odoo.cfg"]
    for job in done:
        for log in job.logs:
            if log.exists() and run([*checklog, "--no-err-if-empty", log], job.out):
                job.add(f"log check ({log.name})", 0, crashed=True)

    print("\n===== Summary (job: seconds, then each step's counts)")
    totals, failed_checks = [0, 0, 0, 0], []
    for job in done:
        print(f"{job.name}: {round(job.seconds)} s")
        for label, *counts, crashed in job.results:
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
            if crashed:
                failed_checks.append(f"{job.name}: {label}")
            elif counts[0]:
                tests = f"{counts[1]} failed, {counts[2]} error(s) of {counts[0]} tests"
                print(f"  {label}: {tests}, {counts[3]} skipped")
        if job.failed():
            print(f"  FAILED: see {job.out} and {', '.join(map(str, job.logs))}")
            for path in filter(Path.exists, (job.out, *job.logs)):
                text = path.read_text(encoding="utf-8", errors="replace")
                print("    " + "\n    ".join(FAILURE.findall(text)[:40]))
    print(f"Failed checks: {', '.join(failed_checks) or 'none'}")
    print(f"Duration: {round(time.monotonic() - started)} s (logs: {logdir})")
    run_, failed, errors, skipped = totals
    n_failed = failed + errors + len(failed_checks)
    summary = f"{run_ - failed - errors - skipped} passed, {n_failed} failed"
    print(summary + (f", {skipped} skipped" if skipped else ""), flush=True)
    return 1 if n_failed else 0


if __name__ == "__main__":
    sys.exit(main())
