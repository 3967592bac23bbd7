"""Sortable, exportable lists: one column spec per list drives the page's table, its ORDER BY and its xlsx.

A list view declares its columns once (:class:`Col`) and wraps its filtered, scoped queryset in a
:class:`Listing`::

    listing = Listing(request, COLUMNS, qs, default=("division_id", "name"), title="企业库")
    if listing.wants_export:
        return listing.export()           # the filtered, sorted rows of every page, as xlsx
    return render(request, "…", {"table": listing.table()})   # {% include "web/_table.html" %}

* **Sorting** happens in the database: ``?sort=key`` (ascending) or ``?sort=-key`` (descending) orders by the
  column's whitelisted ORM fields, then by ``pk`` so equal values keep a stable order across pages. A key
  that is not a sortable column of this list is a 400 with a Chinese message (``core.params``), never a 500.
  The header links keep every filter and the page; the sorted column shows ▲/▼ and ``aria-sort``.
  A field with choices (a status, a stage, a level) sorts in the order its choices are declared — the
  workflow's order, 国家 before 行业 — not by the stored code, whose alphabet means nothing to the reader.
* **Export** (``?format=xlsx``) is a GET that writes nothing: the same queryset (same filters, same
  ``restrict()`` scope, same order), all pages, at most :data:`EXPORT_LIMIT` rows (a note in the file and on
  the page says so when more matched), through the one xlsx writer of :mod:`xinzhi.reports` — headers with
  units (``营业收入（万元）``), numbers as numbers, text formula-safe (``core.cells``), Chinese labels.
* **Numbers on the page** go through ``core.numbers`` (money as 万元 with ``wan_figure``).

The project writes no audit entry for reads (the audit trail records data changes), so an export is not
recorded either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, F, IntegerField, Value, When
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinzhi.core.downloads import attachment
from xinzhi.core.numbers import fixed, wan_figure
from xinzhi.core.params import choice_param

from .document import Column, Document, Note, Table
from .render import CONTENT_TYPES, render_bytes

#: the most rows one export holds (a province-wide register fits; more asks the user to narrow the filter)
EXPORT_LIMIT = 20_000
PER_PAGE = 50
#: a header this short stays on one line: beside short values (1.00, 西湖区) the browser would otherwise give
#: it a column one character wide and break 权重 and 县（市、区） character by character; longer ones wrap
SHORT_HEADER = 6
DASH = "—"


@dataclass(frozen=True)
class Col:
    """One column of a list.

    ``value(obj)`` is the raw value (exported as is; money in whole yuan when ``money``), ``order`` the ORM
    fields a sort by this column orders on (empty: not sortable), ``unit`` goes into the header
    (``营业收入（万元）``), ``text(obj)`` overrides the text shown on the page, ``link(obj)`` makes the cell a
    link. ``money`` columns are shown and exported in 万元 (``unit`` defaults to 万元).
    """

    key: str
    label: str
    value: Callable[[Any], Any]
    order: tuple[str, ...] = ()
    unit: str = ""
    money: bool = False
    decimals: int | None = None
    thousands: bool = True  # False for years and codes held as numbers
    signed: bool = False  # the export shows a plus sign on rises (growth rates; the page's text has its sign)
    shown: bool = True  # False: in the export only (details the page leaves to the record's own page)
    exported: bool = True  # False: on the page only (a link to another page, no data)
    wrap: bool = False  # long text (reasons) wraps in its cell instead of widening the table
    text: Callable[[Any], Any] | None = None
    link: Callable[[Any], str] | None = None
    #: coloured chips before the text: ``[(name, label, colour), …]`` shown as ``name <span class="rating
    #: rating-colour">label</span>`` (a light, an indicator's rating); the text, if any, follows as a note
    chips: Callable[[Any], Sequence[tuple[str, str, str]]] | None = None
    #: a template drawing the cell (given ``obj``, with the page's context: a form, a set of badges); the
    #: export still writes ``value``
    cell: str = ""
    #: rows without a value come last whichever way the column is sorted (the database's default puts them
    #: first in one of the two directions)
    nulls_last: bool = False

    @property
    def unit_text(self) -> str:
        return self.unit or (_("万元") if self.money else "")

    @property
    def title(self) -> str:
        unit = self.unit_text
        return f"{_(self.label)}（{unit}）" if unit else str(_(self.label))

    @property
    def numeric(self) -> bool:
        return self.money or self.decimals is not None

    def export_value(self, obj) -> Any:
        value = self.value(obj)
        if value is None:
            return None
        if self.money:
            return float(Decimal(value) / 10_000)
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, dt.date | int | float):
            return value.isoformat() if isinstance(value, dt.date) else value
        return str(value)

    def display(self, obj) -> str:
        if self.text is not None:
            shown = self.text(obj)
            return DASH if shown in (None, "") else str(shown)
        value = self.value(obj)
        if value is None or value == "":
            return DASH
        if self.money:
            return wan_figure(value, self.decimals if self.decimals is not None else 1)
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if isinstance(value, int | float | Decimal):
            return fixed(float(value), self.decimals or 0, thousands=self.thousands) or DASH
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)


def _model_field(model, path: str):
    """The model field ``path`` (``enterprise__status``) names, or None (an annotation)."""
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except (FieldDoesNotExist, AttributeError):
            return None
        model = field.related_model
    return field


def _order_term(model, path: str, descending: bool, nulls_last: bool):
    """One ORDER BY term: a field with choices by its choices' declared order (unknown values last)."""
    field = _model_field(model, path)
    if field is not None and field.choices:
        codes = [code for code, _label in field.flatchoices]
        expr = Case(*(When(**{path: code}, then=Value(i)) for i, code in enumerate(codes)),
                    default=Value(len(codes)), output_field=IntegerField())
        return expr.desc() if descending else expr.asc()
    if nulls_last:
        return F(path).desc(nulls_last=True) if descending else F(path).asc(nulls_last=True)
    return ("-" if descending else "") + path


class Listing:
    """A list page's queryset ordered by the user's choice of column, paged, shown and exported."""

    def __init__(self, request, columns: Sequence[Col], queryset, default: Sequence = (), title: str = "",
                 empty: str = "", per_page: int = PER_PAGE, note: str = "", limit: int | None = None):
        self._setup(request, columns, title, empty, per_page, note, limit)
        if self.sort:
            column = self._column(self.sort.lstrip("-"))
            descending = self.sort.startswith("-")
            order = [_order_term(queryset.model, field, descending, column.nulls_last) for field in column.order]
        else:  # the list's own order (or the queryset's), then pk
            order = list(default) or list(queryset.query.order_by)
        self.queryset = queryset.order_by(*order, "pk")

    def _setup(self, request, columns, title, empty, per_page, note, limit) -> None:
        self.request, self.columns = request, list(columns)
        self.title, self.note = str(_(title)), str(_(note)) if note else ""
        self.empty = _(empty) if empty else _("没有符合条件的记录")
        self.per_page, self.limit = per_page, limit or EXPORT_LIMIT
        sortable = [c.key for c in self.columns if c.order and c.shown]
        self.sort = choice_param(request.GET, "sort", sortable + ["-" + k for k in sortable])
        self.wants_export = choice_param(request.GET, "format", ("xlsx",)) == "xlsx"
        self._page = None

    @property
    def shown(self) -> list[Col]:
        return [c for c in self.columns if c.shown]

    def _column(self, key: str) -> Col:
        return next(c for c in self.columns if c.key == key)

    # ------------------------------------------------------------------ the page

    @property
    def page(self):
        if self._page is None:
            from django.core.paginator import Paginator

            self._page = Paginator(self.queryset, self.per_page).get_page(self.request.GET.get("page"))
        return self._page

    def _href(self, **changes) -> str:
        query = self.request.GET.copy()
        for name, value in changes.items():
            if value is None:
                query.pop(name, None)
            else:
                query[name] = value
        return "?" + query.urlencode()

    def headers(self) -> list[dict]:
        out = []
        for c in self.shown:
            head = {"label": c.title, "num": c.numeric, "href": None, "dir": None, "aria_sort": None, "aria": "",
                    "keep": len(c.title) <= SHORT_HEADER}
            if c.order:
                current = self.sort == c.key and "asc" or self.sort == "-" + c.key and "desc" or None
                head["dir"] = current
                head["aria_sort"] = {"asc": "ascending", "desc": "descending"}.get(current)
                head["href"] = self._href(sort="-" + c.key if current == "asc" else c.key)
                head["aria"] = (_("按%(label)s降序排列") if current == "asc" else _("按%(label)s升序排列")) % {
                    "label": c.title}
            out.append(head)
        return out

    def rows(self) -> list[list[dict]]:
        return [[{"text": c.display(obj), "href": c.link(obj) if c.link else None, "num": c.numeric,
                  "chips": c.chips(obj) if c.chips else None, "cell": c.cell, "obj": obj,
                  "wrap": c.wrap}
                 for c in self.shown] for obj in self.page.object_list]

    def table(self) -> dict:
        """The context of ``web/_table.html`` (and ``web/_export.html``)."""
        count = self.page.paginator.count
        return {"headers": self.headers(), "rows": self.rows(), "page": self.page, "empty": self.empty,
                "export_href": self._href(format="xlsx", page=None), "width": len(self.shown),
                "over_limit": count > self.limit, "limit": self.limit}

    # ------------------------------------------------------------------ the export

    def document(self) -> Document:
        """The export as a report document: one table of every matching row (up to the limit)."""
        total = self.queryset.count()
        objects = list(self.queryset[:self.limit])
        exported = [c for c in self.columns if c.exported]
        columns = [Column(str(_(c.label)), unit=c.unit_text, thousands=c.thousands, signed=c.signed,
                          decimals=c.decimals if c.decimals is not None else (1 if c.money else None))
                   for c in exported]
        rows = [[c.export_value(obj) for c in exported] for obj in objects]
        notes = [self.note] if self.note else []
        notes.append(_("共 %(total)s 行，按页面上的筛选条件和排序导出。") % {"total": f"{total:,}"})
        if total > self.limit:
            notes.append(_("超过导出上限：仅导出排序后的前 %(limit)s 行，请缩小筛选范围后分批导出。")
                         % {"limit": f"{self.limit:,}"})
        return table_document(self.title, columns, rows, notes)

    def export(self, filename: str = "") -> HttpResponse:
        return xlsx_response(self.document(), filename or f"{self.title}-{timezone.localdate().isoformat()}")


class FrameListing(Listing):
    """A list held as a Polars frame (computed, not stored: the investment warnings): the same columns, header
    links, pages and export as :class:`Listing`, sorted on the frame.

    ``Col.value``/``text``/``link`` get one row as a dict; ``Col.order`` names frame columns. A sort orders by
    the column's fields in the asked direction, then by ``tiebreak`` ascending (a stable order across pages);
    rows without a value come last in both directions. ``default`` is ``[(column, descending), …]``.
    """

    def __init__(self, request, columns: Sequence[Col], frame, tiebreak: Sequence[str],
                 default: Sequence[tuple[str, bool]] = (), title: str = "", empty: str = "",
                 per_page: int = PER_PAGE, note: str = "", limit: int | None = None):
        self._setup(request, columns, title, empty, per_page, note, limit)
        if self.sort:
            descending = self.sort.startswith("-")
            order = [(field, descending) for field in self._column(self.sort.lstrip("-")).order]
        else:
            order = list(default)
        order += [(field, False) for field in tiebreak if field not in {f for f, _d in order}]
        if order and frame.height:
            frame = frame.sort([f for f, _d in order], descending=[d for _f, d in order], nulls_last=True,
                               maintain_order=True)
        self.frame = frame
        self.queryset = FrameRows(frame)


class FrameRows:
    """A frame's rows as the paginator and the export read a queryset: ``count()`` and slices of dicts."""

    def __init__(self, frame) -> None:
        self.frame = frame

    def count(self) -> int:
        return self.frame.height

    def __len__(self) -> int:
        return self.frame.height

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("FrameRows takes slices")
        start, stop, _step = index.indices(self.frame.height)
        return self.frame.slice(start, max(stop - start, 0)).to_dicts()


def table_document(title: str, columns: Sequence[Column], rows: Sequence[Sequence], notes: Sequence[str] = ()
                   ) -> Document:
    """A list as a report document: one table (the xlsx's table sheet) and its notes (on the cover)."""
    blocks: list = [Table(columns, rows, caption=title, sheet_name=title)]
    blocks += [Note(text) for text in notes]
    return Document(title=title, blocks=blocks, date=timezone.localdate(), number_captions=False)


def xlsx_response(doc: Document, filename: str) -> HttpResponse:
    """``doc`` as an xlsx download (the one xlsx writer of ``reports``)."""
    data = render_bytes(doc, "xlsx")
    return attachment(HttpResponse(data, content_type=CONTENT_TYPES["xlsx"]), f"{filename}.xlsx")
