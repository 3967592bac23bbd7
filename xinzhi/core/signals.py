"""Signals ``core`` sends so that apps above it can react without ``core`` importing them.

``import_committed`` — sent by ``core.imports.commit_import`` **inside** the import's transaction, after
its rows are written: a receiver's own writes (e.g. the months whose monitoring must be recomputed)
commit or roll back together with the data. Work that must see committed data goes to
``transaction.on_commit``. Arguments: ``kind`` (name), ``batch`` (the ImportBatch), ``user``,
``changes`` (a list of ``core.imports.TableChange``: table, new/changed counts, columns, months).
A receiver may return an object whose ``str()`` tells the user what followed (shown after the commit).

``server_starting`` — sent by ``xinzhi serve`` before it serves (argument ``stdout``): catch-up work
left by a crash, e.g. recomputing stale monitoring months.
"""

from __future__ import annotations

from django.dispatch import Signal

import_committed = Signal()
server_starting = Signal()
