"""Signals ``core`` sends so that apps above it can react without ``core`` importing them.

``import_committed`` — sent by ``core.imports.commit_import`` **inside** the import's transaction, after
its rows are written: a receiver's own writes (e.g. the months whose monitoring must be recomputed)
commit or roll back together with the data. Work that must see committed data goes to
``transaction.on_commit``. Arguments: ``kind`` (name), ``batch`` (the ImportBatch), ``user``,
``changes`` (a list of ``core.imports.TableChange``: table, new/changed counts, columns, months).
A receiver may return an object whose ``str()`` tells the user what followed (shown after the commit).

``records_moved`` — sent by ``core.region_moves.move_to_region`` (forms, the admin, APIs) **inside** the
move's transaction, after the record's county is changed: arguments ``table`` (the model's table) and
``columns`` (the changed column names), so that e.g. the monitoring marks the months it must recompute.

``server_starting`` — sent by ``xinzhi serve`` before it serves (argument ``stdout``): catch-up work
left by a crash, e.g. recomputing stale monitoring months.
"""

from __future__ import annotations

from django.dispatch import Signal

import_committed = Signal()
records_moved = Signal()
server_starting = Signal()
