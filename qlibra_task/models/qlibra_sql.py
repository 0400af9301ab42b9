# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager


@contextmanager
def without_jit(cr):
    """Run the block without PostgreSQL's JIT, then restore the setting: the
    big queries (contract chain, analysis view) look costly enough to be
    compiled, for longer than they run (pivot of 1M lines: 5.2 s, 1.2 s)."""
    cr.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
    jit = cr.fetchone()[0]
    yield
    # Not after an error: the transaction is aborted, and rolled back.
    cr.execute("SELECT set_config('jit', %s, true)", [jit])
