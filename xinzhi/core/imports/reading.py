"""Reading an import file into a frame of strings: CSV (UTF-8, UTF-8 with BOM, GBK), XLSX, Parquet.

Every value is read as a string (or null for an empty cell) so that parsing — and its error
messages — happen in one place (``parsing``), whatever the file format.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

DATA_SHEET = "数据"
INSTRUCTIONS_SHEET = "填表说明"


class ReadError(ValueError):
    """The file cannot be read at all (format, encoding, empty)."""


@dataclass(frozen=True)
class RawTable:
    frame: pl.DataFrame  # all columns String, headers as in the file
    file_name: str
    sha256: str


def read_table(source: str | Path | bytes, file_name: str | None = None) -> RawTable:
    """Read ``source`` (a path, or the bytes of an upload together with its ``file_name``)."""
    if isinstance(source, bytes):
        data = source
        name = file_name or "upload"
    else:
        path = Path(source)
        data = path.read_bytes()
        name = file_name or path.name
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        frame = _read_excel(data)
    elif suffix == ".parquet":
        frame = pl.read_parquet(io.BytesIO(data))
    elif suffix in (".csv", ".txt", ""):
        frame = _read_csv(data)
    else:
        raise ReadError(f"不支持的文件类型“{suffix}”，请使用 .xlsx、.csv 或 .parquet")
    frame = frame.select(pl.all().cast(pl.String))
    frame = frame.rename({c: str(c).strip() for c in frame.columns})
    return RawTable(frame=frame, file_name=name, sha256=hashlib.sha256(data).hexdigest())


def _read_csv(data: bytes) -> pl.DataFrame:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Chinese Windows saves "CSV" as GBK (GB18030 is its superset)
        try:
            data = data.decode("gb18030").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReadError("CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码") from exc
    if not data.strip():
        raise ReadError("文件为空")
    return pl.read_csv(io.BytesIO(data), infer_schema=False)


def _read_excel(data: bytes) -> pl.DataFrame:
    try:
        reader = fastexcel.read_excel(data)
    except Exception as exc:  # fastexcel raises its own exception types
        raise ReadError(f"Excel 文件无法读取：{exc}") from exc
    names = reader.sheet_names
    sheet = DATA_SHEET if DATA_SHEET in names else names[0]
    # keep blank rows so that row numbers stay the ones Excel shows (they are skipped later)
    return pl.read_excel(io.BytesIO(data), sheet_name=sheet, engine="calamine", infer_schema_length=0,
                         drop_empty_rows=False)
