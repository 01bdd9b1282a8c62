"""The CSV file of a declared import: read once, measured (rows, bytes, SHA-256), never sent
anywhere by the manifest layer (apply uploads it)."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from websets_sync.model import CsvUpload

#: The API's limit on an import's size (CreateImportParameters.size, API-NOTES §3.6).
MAX_IMPORT_BYTES = 50_000_000


class CsvProblem(Exception):
    """Why a declared CSV file cannot be imported (said at the manifest's ``file:`` line)."""


def csv_path(manifest_path: str, file: str) -> Path:
    """``file`` as declared: relative to the manifest file that declares it."""
    return Path(manifest_path).parent / file


def read_csv(path: Path) -> CsvUpload:
    """Measure the CSV at ``path``: data rows (every non-empty record after the header), bytes,
    SHA-256. Raises CsvProblem for a missing, unreadable, too large or non-UTF-8 file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CsvProblem(f"CSV file {str(path)!r} does not exist") from None
    except OSError as exc:
        raise CsvProblem(f"cannot read CSV file {str(path)!r}: {exc.strerror or exc}") from None
    if size > MAX_IMPORT_BYTES:
        raise CsvProblem(
            f"CSV file {str(path)!r} is {size} bytes; the API takes at most "
            f"{MAX_IMPORT_BYTES} bytes (50 MB) per import"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvProblem(f"cannot read CSV file {str(path)!r}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvProblem(f"CSV file {str(path)!r} is not UTF-8 text (byte {exc.start})") from None
    return CsvUpload(str(path), hashlib.sha256(raw).hexdigest(), len(raw), data_rows(text))


def data_rows(text: str) -> int:
    """Records after the header line, blank lines left out (a quoted newline stays one row)."""
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    return max(0, len(rows) - 1)
