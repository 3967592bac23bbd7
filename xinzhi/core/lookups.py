"""``field__fragment=text``: the rows whose text contains ``text`` — a name search that an index can serve.

Django's ``icontains`` compares ``UPPER(name) LIKE UPPER(…)``, which no index serves and which costs three
times a plain ``LIKE`` on Chinese text. ``fragment`` writes ``name ILIKE '%…%'`` on PostgreSQL — served by a
trigram index (``pg_trgm``, ``gin_trgm_ops``) once the fragment has three characters — or plain ``LIKE`` when
the fragment has no letter with a case (Chinese, digits), which is cheaper still; SQLite's ``LIKE`` already
ignores ASCII case. Wildcards in the text (``%``, ``_``) are matched literally.

A two-character fragment has no trigram. On a column an app declares bigram-indexed
(:func:`register_bigram_index`, with a GIN index on ``xinzhi_bigrams(column)``: enterprises migration 0005),
it is looked up as ``xinzhi_bigrams(column) @> ARRAY[fragment]`` with the ``LIKE`` kept as the check.
"""

from __future__ import annotations

from django.db.models import CharField, Lookup, TextField

#: (table, column) pairs that have a GIN index on ``xinzhi_bigrams(column)`` on PostgreSQL
_BIGRAM_INDEXED: set[tuple[str, str]] = set()


def register_bigram_index(table: str, column: str) -> None:
    """Declare that ``table.column`` has the bigram index (the app's migration creates it)."""
    _BIGRAM_INDEXED.add((table, column))


def _has_cased_letters(text: str) -> bool:
    return any(ch.lower() != ch.upper() for ch in text)


@CharField.register_lookup
@TextField.register_lookup
class Fragment(Lookup):
    lookup_name = "fragment"

    def get_db_prep_lookup(self, value, connection):
        return "%s", ["%" + connection.ops.prep_for_like_query(str(value)) + "%"]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            text = str(self.rhs)
            operator = "ILIKE" if _has_cased_letters(text) else "LIKE"
            sql, params = f"{lhs} {operator} {rhs}", [*lhs_params, *rhs_params]
            if len(text) == 2 and self._bigram_indexed():
                return f"(xinzhi_bigrams({lhs}) @> ARRAY[%s]::text[] AND {sql})", [*lhs_params, text.lower(), *params]
            return sql, params
        return f"{lhs} LIKE {rhs} ESCAPE '\\'", [*lhs_params, *rhs_params]

    def _bigram_indexed(self) -> bool:
        target = getattr(self.lhs, "target", None)
        return target is not None and (target.model._meta.db_table, target.column) in _BIGRAM_INDEXED
