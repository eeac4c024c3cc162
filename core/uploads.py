"""The size limit on whole multipart requests (uploads), checked before the body is read.

Django limits a request's form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not its files:
without this, anyone who can post a form could make a process spool gigabytes to disk
before a view refuses them. A request over MAX_UPLOAD_SIZE raises RequestDataTooBig,
which Django answers with the 400 page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class RequestSizeLimitHandler(FileUploadHandler):
    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        if content_length > settings.MAX_UPLOAD_SIZE:
            raise RequestDataTooBig(
                f"A multipart request of {content_length} bytes; the limit is "
                f"{settings.MAX_UPLOAD_SIZE} (MAX_UPLOAD_SIZE)."
            )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data  # the next handler keeps the file

    def file_complete(self, file_size: int) -> None:
        return None
