"""KIND name → ImportKind. Apps register their kinds in ``<app>/imports.py``, found by autodiscovery."""

from __future__ import annotations

from django.utils.module_loading import autodiscover_modules

from .spec import ImportKind, RecordRegion

_KINDS: dict[str, ImportKind] = {}
_discovered = False


class UnknownKind(KeyError):
    def __str__(self) -> str:
        return f"未知的导入类型“{self.args[0]}”，可选：{'、'.join(kind_names())}"


def register(kind: ImportKind) -> ImportKind:
    """Add ``kind``; it must say where its rows' stored records live (``record_region``), for write scope."""
    if not isinstance(getattr(kind, "record_region", None), RecordRegion):
        raise TypeError(f"import kind {kind.name!r} must declare record_region (a RecordRegion) for write scope")
    _KINDS[kind.name] = kind
    return kind


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("imports")
        _discovered = True


def get_kind(name: str | ImportKind) -> ImportKind:
    if isinstance(name, ImportKind):
        return name
    _discover()
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownKind(name) from None


def kind_names() -> list[str]:
    _discover()
    return sorted(_KINDS)
