"""``field__fragment=text``: the rows whose text contains ``text`` — a name search that an index can serve.

Django's ``icontains`` compares ``UPPER(name) LIKE UPPER(…)``, which no index serves and which costs three
times a plain ``LIKE`` on Chinese text. ``fragment`` writes ``name ILIKE '%…%'`` on PostgreSQL — served by a
trigram index (``pg_trgm``, ``gin_trgm_ops``) once the fragment has three characters — or plain ``LIKE`` when
the fragment has no letter with a case (Chinese, digits), which is cheaper still; SQLite's ``LIKE`` already
ignores ASCII case. Wildcards in the text (``%``, ``_``) are matched literally.
"""

from __future__ import annotations

from django.db.models import CharField, Lookup, TextField


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
            operator = "ILIKE" if _has_cased_letters(str(self.rhs)) else "LIKE"
            return f"{lhs} {operator} {rhs}", [*lhs_params, *rhs_params]
        return f"{lhs} LIKE {rhs} ESCAPE '\\'", [*lhs_params, *rhs_params]
