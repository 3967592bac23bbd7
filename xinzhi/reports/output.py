"""Writing rendered bytes to a path or stream, and making ZIP-based files (DOCX) byte-for-byte reproducible."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import BinaryIO, TypeAlias

Target: TypeAlias = str | os.PathLike[str] | BinaryIO

#: The timestamp stored for every member of a generated ZIP package.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_bytes(data: bytes, target: Target) -> None:
    """Write ``data`` to a file path (parent folders created) or a writable binary stream."""
    if hasattr(target, "write"):
        target.write(data)  # type: ignore[union-attr]
        return
    path = Path(target)  # type: ignore[arg-type]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def zip_normalise(data: bytes) -> bytes:
    """Rewrite a ZIP package with fixed member timestamps and permissions, keeping member order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
