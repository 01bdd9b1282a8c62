"""Imports read the CSV uploaded to their upload URL: the row count comes from the file.

A file that is not text is ``invalid_format``; a CSV without data rows or with ragged rows is
``invalid_file_content``; a key column (``csv.identifier``) the rows lack is
``missing_identifier``. The verdict is reached at upload and shown once processing time has
passed, as ``failed`` with ``failedAt``/``failedMessage`` (the API has no failure event).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from websets_sync.emulator.store import JSON, Store


@dataclass(frozen=True)
class CsvVerdict:
    rows: int
    reason: str | None = None  # one of the spec's failedReason values
    message: str | None = None


def read_csv(content: bytes, identifier: int | None) -> CsvVerdict:
    """Count the data rows of an uploaded file (the first row is the header)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return CsvVerdict(0, "invalid_format", "The file is not UTF-8 text; upload a CSV file")
    if "\x00" in text:
        return CsvVerdict(0, "invalid_format", "The file is binary, not a CSV file")
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if any(row)]
    except csv.Error as exc:
        return CsvVerdict(0, "invalid_format", f"The file is not valid CSV: {exc}")
    if not rows:
        return CsvVerdict(0, "invalid_file_content", "The file is empty")
    header, data = rows[0], rows[1:]
    if not data:
        return CsvVerdict(0, "invalid_file_content", "The CSV has a header row but no data rows")
    for number, row in enumerate(data, start=2):
        if len(row) != len(header):
            return CsvVerdict(
                len(data),
                "invalid_file_content",
                f"Row {number} has {len(row)} fields; the header has {len(header)}",
            )
    if identifier is not None:
        if identifier >= len(header):
            return CsvVerdict(
                len(data),
                "missing_identifier",
                f"csv.identifier is column {identifier}, but the file has {len(header)} columns",
            )
        for number, row in enumerate(data, start=2):
            if not row[identifier].strip():
                return CsvVerdict(
                    len(data), "missing_identifier", f"Row {number} has no identifier value"
                )
    return CsvVerdict(len(data))


def receive_upload(store: Store, record: JSON, content: bytes) -> None:
    """The PUT to the upload URL: read the file now; the status shows after processing time."""
    verdict = read_csv(content, record.get("_identifier"))
    record["status"] = "processing"
    record["count"] = verdict.rows
    record["_uploadedAt"] = store.now()
    record["_size"] = len(content)
    if verdict.reason is not None:
        record["_failure"] = [verdict.reason, verdict.message]
    store.touch(record)


def tick(store: Store, processing_seconds: float) -> None:
    """Fail the processed imports whose file was rejected (completion is the lifecycle's)."""
    now = store.now()
    for record in store.active("import"):
        failure = record.get("_failure")
        if failure is None or record["status"] != "processing":
            continue
        if now - float(record["_uploadedAt"]) >= processing_seconds:
            record["status"] = "failed"
            record["failedReason"], record["failedMessage"] = failure
            record["failedAt"] = store.now_iso()
            store.touch(record)
