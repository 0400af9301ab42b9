"""A scenario's database as the lifecycle tests see it: Odoo runs and SQL.

Every Odoo process (install, update, the functions of ``in_odoo.py``) logs
to one log file, appended, and anything it prints goes there too.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
from psycopg2 import sql

IN_ODOO = Path(__file__).with_name("in_odoo.py")
ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Database:
    """An Odoo database, driven through Odoo's own command line."""

    def __init__(self, name, addons_path, logfile, workdir):
        self.name = name
        self.addons_path = addons_path
        self.logfile = Path(logfile)
        self.workdir = Path(workdir)
        self.calls = 0

    # -- Odoo processes ---------------------------------------------------
    def _run(self, cmd):
        # the command as an INFO record of Odoo's log format, so that log
        # checkers read it as a record of its own
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        command = " ".join(str(part) for part in cmd)
        with open(self.logfile, "a", encoding="utf-8") as log:
            log.write(
                f"{stamp},{int(now % 1 * 1000):03d} {os.getpid()} INFO {self.name} "
                f"tests.lifecycle: $ {command}\n"
            )
            log.flush()
            return subprocess.run(
                cmd,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
                env=dict(os.environ, PYTHONUNBUFFERED="1"),
            ).returncode

    def odoo(self, *args):
        """Run ``python -m odoo ... --stop-after-init``; return its status."""
        return self._run(
            [
                sys.executable,
                "-m",
                "odoo",
                f"--addons-path={self.addons_path}",
                f"--database={self.name}",
                f"--logfile={self.logfile}",
                f"--http-port={free_port()}",
                *args,
                "--stop-after-init",
            ]
        )

    def install(self, modules):
        return self.odoo("-i", ",".join(modules))

    def update(self, modules):
        return self.odoo("-u", ",".join(modules))

    def call(self, function, *arguments):
        """Run ``in_odoo.<function>(env, *arguments)`` in an Odoo process.

        Return (exit status, its return value or None)."""
        self.calls += 1
        result = self.workdir / f"{self.name}-{self.calls}-{function}.json"
        status = self._run(
            [
                sys.executable,
                IN_ODOO,
                f"--database={self.name}",
                f"--addons-path={self.addons_path}",
                f"--logfile={self.logfile}",
                f"--result={result}",
                function,
                *(json.dumps(argument) for argument in arguments),
            ]
        )
        if status or not result.exists():
            return status or 1, None
        return 0, json.loads(result.read_text(encoding="utf-8"))

    def contrib(self, command, *args):
        """Run one of click-odoo-contrib's commands (dropdb, copydb); a copy
        loads the new database's registry: it needs the addons path."""
        config = self.workdir / "odoo.cfg"
        config.write_text(f"[options]\naddons_path = {self.addons_path}\n")
        module = f"click_odoo_contrib.{command}"
        return self._run([sys.executable, "-m", module, "-c", config, *args])

    def drop(self):
        """Drop the database and its filestore, if it exists."""
        self.contrib("dropdb", "--if-exists", self.name)

    # -- SQL -----------------------------------------------------------------
    def query(self, query, params=None):
        with psycopg2.connect(dbname=self.name) as conn, conn.cursor() as cr:
            cr.execute(query, params)
            rows = cr.fetchall()
        conn.close()
        return rows

    def module_states(self, names):
        states = dict(
            self.query(
                "SELECT name, state FROM ir_module_module WHERE name IN %s",
                [tuple(names)],
            )
        )
        return {name: states.get(name, "unknown") for name in names}

    def relation_exists(self, name, kind):
        return bool(
            self.query(
                "SELECT 1 FROM pg_class WHERE relname = %s AND relkind = %s",
                [name, kind],
            )
        )

    def table_rows(self, table, columns):
        """Every row of ``table`` as text: {id: row}, or {row: row} for a
        table without an id (a relation table)."""
        has_id = bool(
            self.query(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = "
                "'public' AND table_name = %s AND column_name = 'id'",
                [table],
            )
        )
        if has_id and "id" not in columns:
            columns = ["id", *columns]
        query = sql.SQL("SELECT {} FROM {}").format(
            sql.SQL(", ").join(
                sql.SQL("{}::text").format(sql.Identifier(column)) for column in columns
            ),
            sql.Identifier(table),
        )
        return {row[0] if has_id else row: row for row in self.query(query)}

    def count_where_like(self, table, column, pattern):
        query = sql.SQL("SELECT count(*) FROM {} WHERE {} LIKE %s").format(
            sql.Identifier(table), sql.Identifier(column)
        )
        return self.query(query, [pattern])[0][0]
