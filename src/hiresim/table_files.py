"""Table files written safely: atomic writes, and Arrow tables streamed into one file.

Atomic writes: a file is first written to a temporary file in the same folder (so the
rename cannot cross file systems), fsynced, given the mode ``open()`` would give
(``FILE_MODE``: 0o666 less the umask, not ``mkstemp``'s private 0o600), or the mode of the
file it replaces, and renamed into place; if anything fails the temporary file is
removed. A reader therefore sees the old file or the whole new one, never half a file
that looks complete.

Streaming: ``write_parquet_stream`` and ``write_csv_stream`` write an iterable of Arrow
tables (chunks, read one at a time) into one Parquet or CSV file, so the memory of writing
a table does not grow with its length. The chunks are first given one schema
(``unify_schema``: the column types ``pandas.concat`` of the chunks would have given) and
each is made to fit it (``conform``). Parquet chunks are gathered into row groups of up
to ``ROW_GROUP_ROWS`` rows or ``ROW_GROUP_BYTES`` bytes (in memory), whichever comes first.

This module knows nothing of result folders (``hiresim.outputs`` builds on it).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what open() would give: mkstemp's 0600 is too private
# final Parquet tables: chunks are gathered into row groups of up to this many rows or bytes
# (so the memory of writing them is bounded, and the file has few, not tiny, row groups)
ROW_GROUP_ROWS = 1 << 16
ROW_GROUP_BYTES = 1 << 20  # about 10,000 rows of reqs


class TableSchemaError(Exception):
    """The chunks of one table have columns of types that do not mix."""


@contextmanager
def atomic_path(path: Path) -> Iterator[str]:
    """A temporary file next to ``path`` to write; it becomes ``path`` (fsync, rename) only
    when the block ends normally, and is removed otherwise."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.is_file() else FILE_MODE
    except OSError:
        mode = FILE_MODE
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that it either appears whole or not at all."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_table(path: Path, table: pa.Table) -> None:
    """Write an Arrow table (its schema and field metadata kept) as one Parquet file."""
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def atomic_write_frame(path: Path, frame: pd.DataFrame, fmt: str) -> None:
    with atomic_path(path) as tmp:
        if fmt == "csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)


# -- one schema for the chunks of a table --------------------------------------------------
def unify_schema(schema: pa.Schema | None, other: pa.Schema) -> pa.Schema:
    """The schema holding the chunks of both, as ``pandas.concat`` of the chunks would type
    it: columns in order of first appearance; a ``null`` column (all missing, or an empty
    chunk) takes the other's type; int with float gives float; string with large_string
    gives large_string; categorical (dictionary) columns are kept as their plain values.
    Types that do not mix (numbers and text, say) raise ``TableSchemaError``."""
    plain = pa.schema([pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type)
                                else f.type) for f in other])
    if schema is None:
        return plain
    try:
        return pa.unify_schemas([schema, plain], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        raise TableSchemaError(f"chunks of one table have columns of types that do not mix: "
                               f"{err}") from err


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with exactly the columns and types of ``schema`` (missing columns: nulls)."""
    columns = []
    for field in schema:
        if field.name not in table.column_names:
            columns.append(pa.nulls(table.num_rows, field.type))
            continue
        column = table.column(field.name)
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        columns.append(column.cast(field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def with_pandas_metadata(schema: pa.Schema) -> pa.Schema:
    """``schema`` with the pandas metadata ``DataFrame.to_parquet`` would store (no index)."""
    empty = schema.remove_metadata().empty_table().to_pandas()
    meta = pa.Schema.from_pandas(empty, preserve_index=False).metadata
    return schema.with_metadata(meta)


def write_parquet_stream(path: Path, schema: pa.Schema, tables: Iterable[pa.Table]) -> None:
    """Write ``tables`` (each of ``schema``) one after the other into one Parquet file,
    atomically; they are gathered into row groups of up to ``ROW_GROUP_ROWS`` rows or
    ``ROW_GROUP_BYTES`` (in memory), whichever comes first."""
    with atomic_path(path) as tmp, pq.ParquetWriter(tmp, schema) as writer:
        pending: list[pa.Table] = []
        rows = size = 0
        for table in tables:
            pending.append(table)
            rows += table.num_rows
            size += table.nbytes
            if rows >= ROW_GROUP_ROWS or size >= ROW_GROUP_BYTES:
                writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)
                pending, rows, size = [], 0, 0
        if pending:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)


def write_csv_stream(path: Path, schema: pa.Schema, tables: Iterable[pa.Table]) -> None:
    """Append ``tables`` (each of ``schema``) to one CSV file (one header), atomically."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        header = True
        for table in tables:
            table.to_pandas().to_csv(fh, index=False, header=header)
            header = False
        if header:  # no chunk at all: the header alone
            schema.empty_table().to_pandas().to_csv(fh, index=False)
