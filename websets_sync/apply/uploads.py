"""The second half of creating an import: PUT the CSV file to the presigned ``uploadUrl`` of the
create answer, without the API key (API-NOTES §3.6, R10).

A presigned URL may have expired, or the upload may fail for any other reason. An import
without its file is half-made and useless, so it is never left behind: it is deleted, a fresh
import is created (a fresh URL) and the file uploaded once more. If that fails too, the fresh
one is deleted as well and the change fails, leaving nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from websets_sync.apply.step_types import Request, Step
from websets_sync.errors import ApplyError, NotFoundError, WebsetsSyncError

if TYPE_CHECKING:
    from websets_sync.apply.executor import Executor

#: Uploads tried per import change: the first one, and one with a fresh import.
UPLOAD_ATTEMPTS = 2
FRESH_IMPORT_NOTE = "its first upload failed ({}); uploaded again as a fresh import"


def upload_csv(
    executor: Executor, step: Step, request: Request, import_id: str
) -> tuple[str, str | None]:
    """(the id of the import that holds the file, a note when it took a fresh import)."""
    upload, address = request.upload, str(step.address)
    assert upload is not None
    content = _content(upload.path, upload.sha256)
    failure = ""
    for attempt in range(1, UPLOAD_ATTEMPTS + 1):
        url = executor.upload_urls.pop(import_id, None)
        try:
            if url is None:  # found after a lost create answer: its URL is unknown
                raise ApplyError("the create answer with its upload URL was lost")
            executor.client.upload(url, content)
        except WebsetsSyncError as exc:
            failure = exc.message
            _delete(executor, import_id)
            executor.store.forget(address)
            if attempt == UPLOAD_ATTEMPTS or request.fresh_create is None:
                break
            created = executor.client.create_import(executor.stamped_create(request.fresh_create))
            import_id = str(created["id"])
            executor.keep_upload_url(created)
            executor.remember(address, import_id)
            continue
        note = FRESH_IMPORT_NOTE.format(failure) if attempt > 1 else None
        return import_id, note
    raise ApplyError(
        f"{step.address}: the CSV upload failed ({failure}); the import was deleted, "
        "so no half-made import is left"
    )


def _content(path: str, sha256: str) -> bytes:
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise ApplyError(f"cannot read CSV file {path!r}: {exc.strerror or exc}") from None
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ApplyError(f"CSV file {path!r} changed since the plan was made; plan again")
    return content


def _delete(executor: Executor, import_id: str) -> None:
    with contextlib.suppress(NotFoundError):  # already gone is what was wanted
        executor.client.delete_import(import_id)
