"""Reading an import file into a frame of strings: CSV (UTF-8, UTF-8 with BOM, GBK, UTF-16), XLSX, Parquet.

Every value is read as a string (or null for an empty cell) so that parsing — and its error
messages — happen in one place (``parsing``), whatever the file format.

Memory: a file given as a path is never read whole into Python. Its hash and its encoding are checked
in 1 MiB blocks, a GBK/UTF-16 CSV is re-encoded block by block into a temporary UTF-8 file, and Polars
reads the file itself. A file longer than ``MAX_ROWS`` data rows is refused (``ReadError``: 请分批导入)
without reading the rest; the web page also refuses uploads over ``MAX_UPLOAD_BYTES`` (docs/import-formats.md).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from xinzhi.core.cells import unquote_expr

DATA_SHEET = "数据"
INSTRUCTIONS_SHEET = "填表说明"
#: the most data rows one file may have (a province's monthly filings are ≈60,000 rows)
MAX_ROWS = 500_000
#: the largest upload the web page accepts
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
BLOCK = 1 << 20


class ReadError(ValueError):
    """The file cannot be read at all (format, encoding, empty, too large)."""


@dataclass
class RawTable:
    frame: pl.DataFrame  # all columns String, headers as in the file
    file_name: str
    sha256: str

    def release(self) -> None:
        """Drop the text of the file once it is parsed (large files: its memory serves what follows)."""
        self.frame = self.frame.clear()


def too_many_rows_message(limit: int | None = None) -> str:
    return f"文件超过{MAX_ROWS if limit is None else limit:,}行数据，请拆分为多个文件分批导入"


def read_table(source: str | Path | bytes, file_name: str | None = None) -> RawTable:
    """Read ``source`` (a path, or the bytes of an upload together with its ``file_name``)."""
    if isinstance(source, bytes):
        name = file_name or "upload"
        digest = hashlib.sha256(source).hexdigest()
        frame = _read(io.BytesIO(source), Path(name).suffix.lower(), source[:4], len(source))
    else:
        path = Path(source)
        name = file_name or path.name
        digest, head, size = _scan(path)
        frame = _read(path, Path(name).suffix.lower(), head, size)
    if frame.height > MAX_ROWS:
        raise ReadError(too_many_rows_message())
    frame = frame.select(pl.all().cast(pl.String))
    frame = frame.rename({c: str(c).strip() for c in frame.columns})
    # a text the platform's own CSV export neutralised ('=…, core.cells) reads back as written
    frame = frame.with_columns(unquote_expr(c) for c in frame.columns)
    return RawTable(frame=frame, file_name=name, sha256=digest)


def _scan(path: Path) -> tuple[str, bytes, int]:
    """SHA-256, first bytes and size of a file, read in blocks."""
    digest, head, size = hashlib.sha256(), b"", 0
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK):
            if not head:
                head = block[:4]
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), head, size


def _read(source: Path | io.BytesIO, suffix: str, head: bytes, size: int) -> pl.DataFrame:
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return _read_excel(source)
    if suffix == ".parquet":
        return pl.scan_parquet(source).head(MAX_ROWS + 1).collect()
    if suffix in (".csv", ".txt", ""):
        return _read_csv(source, head, size)
    raise ReadError(f"不支持的文件类型“{suffix}”，请使用 .xlsx、.csv 或 .parquet")


def _blocks(source: Path | io.BytesIO):
    if isinstance(source, io.BytesIO):
        source.seek(0)
        while block := source.read(BLOCK):
            yield block
        source.seek(0)
        return
    with open(source, "rb") as fh:
        while block := fh.read(BLOCK):
            yield block


def _decodes(source: Path | io.BytesIO, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for block in _blocks(source):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(source: Path | io.BytesIO, head: bytes, size: int) -> pl.DataFrame:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif _decodes(source, "utf-8"):
        encoding = "utf-8"  # Polars skips a UTF-8 BOM itself
    elif _decodes(source, "gb18030"):
        encoding = "gb18030"  # Excel on Chinese Windows saves "CSV" as GBK (GB18030 is its superset)
    else:
        raise ReadError("CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码")
    with tempfile.TemporaryFile() as converted:
        if encoding != "utf-8":
            decoder = codecs.getincrementaldecoder(encoding)()
            for block in _blocks(source):
                converted.write(decoder.decode(block).encode("utf-8"))
            converted.write(decoder.decode(b"", final=True).encode("utf-8"))
            converted.seek(0)
            source = converted
        if size == 0 or not _has_text(source):
            raise ReadError("文件为空")
        try:
            return pl.read_csv(source, infer_schema=False, n_rows=MAX_ROWS + 1)
        except pl.exceptions.NoDataError as exc:
            raise ReadError("文件为空") from exc


def _has_text(source) -> bool:
    if isinstance(source, Path):
        with open(source, "rb") as fh:
            return any(block.strip() for block in iter(lambda: fh.read(BLOCK), b""))
    source.seek(0)
    found = any(block.strip() for block in iter(lambda: source.read(BLOCK), b""))
    source.seek(0)
    return found


def _read_excel(source: Path | io.BytesIO) -> pl.DataFrame:
    data = source.getvalue() if isinstance(source, io.BytesIO) else str(source)
    try:
        reader = fastexcel.read_excel(data)
    except Exception as exc:  # fastexcel raises its own exception types
        raise ReadError(f"Excel 文件无法读取：{exc}") from exc
    names = reader.sheet_names
    sheet = DATA_SHEET if DATA_SHEET in names else names[0]
    # keep blank rows so that row numbers stay the ones Excel shows (they are skipped later)
    return pl.read_excel(source, sheet_name=sheet, engine="calamine", infer_schema_length=0, drop_empty_rows=False,
                         read_options={"n_rows": MAX_ROWS + 1})
