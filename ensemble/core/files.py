"""Files people upload and download: size limits, image thumbnails, and streaming responses
that serve decrypted content safely and in constant memory."""

from __future__ import annotations

import io
import warnings
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from asgiref.sync import sync_to_async
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_delete
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from PIL import Image, ImageOps, UnidentifiedImageError

# Raster images a browser may show inline; anything else is always downloaded.
INLINE_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
PIL_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
THUMBNAIL_BOX = (480, 480)
THUMBNAIL_MAX_PIXELS = 50_000_000  # larger pictures get no thumbnail (decompression bombs)
CHUNK = 256 * 1024


class SyncStreamingResponse(StreamingHttpResponse):
    """A streaming response over a synchronous iterator that the ASGI server consumes chunk by
    chunk (Django's own would first read the whole iterator into memory)."""

    def __init__(self, chunks: Iterable[bytes | str], **kwargs: Any) -> None:
        self._chunks = iter(chunks)
        super().__init__(self._chunks, **kwargs)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        def advance() -> bytes | str | None:
            return next(self._chunks, None)

        while (chunk := await sync_to_async(advance)()) is not None:
            yield self.make_bytes(chunk)


def picture_type(name: str) -> str:
    """The type of a picture Ensemble made (thumbnails, avatars): PNG or JPEG, by its suffix."""
    return "image/png" if name.endswith(".png") else "image/jpeg"


def human_size(size: int) -> str:
    """A size as people read it, in decimal units: 100 MB, 1.5 GB, 800 kB."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + " " + unit
    return f"{size} bytes"


def file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    with file:
        while chunk := file.read(CHUNK):
            yield chunk


def file_response(file: IO[bytes], name: str, content_type: str, size: int | None = None) -> Any:
    """Serve a stored file: inline only for raster images, downloaded otherwise, and never
    interpreted by the browser as anything else (no sniffing, sandboxed)."""
    inline = content_type in INLINE_IMAGES
    response = SyncStreamingResponse(
        file_chunks(file),
        content_type=content_type if inline else "application/octet-stream",
    )
    response["Content-Disposition"] = content_disposition_header(not inline, name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    if size is not None:
        response["Content-Length"] = str(size)
    return response


@dataclass
class Picture:
    """What an uploaded image turned out to be, with its thumbnail."""

    content_type: str
    width: int
    height: int
    thumbnail: ContentFile[bytes]


def picture(upload: IO[bytes], box: tuple[int, int] = THUMBNAIL_BOX) -> Picture | None:
    """A thumbnail (at most ``box``, 480 by 480 pixels by default) of an image upload; None when
    it is not a picture Pillow can read, or one too large to open safely."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                kind = PIL_TYPES.get(image.format or "")
                width, height = image.size
                if kind is None or width * height > THUMBNAIL_MAX_PIXELS:
                    return None
                image.draft("RGB", box)  # JPEG: decode at a reduced scale
                small = ImageOps.exif_transpose(image)
                small.thumbnail(box)
                transparent = small.mode in ("RGBA", "LA", "P")
                out = io.BytesIO()
                if transparent:
                    small.convert("RGBA").save(out, "PNG", optimize=True)
                else:
                    small.convert("RGB").save(out, "JPEG", quality=82)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    except (OSError, ValueError, SyntaxError):  # truncated or corrupt image data
        return None
    finally:
        upload.seek(0)
    suffix = "png" if transparent else "jpg"
    return Picture(kind, width, height, ContentFile(out.getvalue(), name=f"thumbnail.{suffix}"))


def delete_files_with(model: type[Any], *fields: str) -> None:
    """However a row of ``model`` goes (deleted itself, by cascade, by retention), its stored
    files in ``fields`` go too, once the deletion is committed."""

    def delete_stored_files(sender: Any, instance: Any, **kwargs: Any) -> None:
        files = [getattr(instance, field) for field in fields]
        names = [file.name for file in files if file and file.name]
        if not names:
            return
        storage = files[0].storage

        def delete_files() -> None:
            for name in names:
                storage.delete(name)

        transaction.on_commit(delete_files)

    post_delete.connect(delete_stored_files, sender=model, weak=False)
