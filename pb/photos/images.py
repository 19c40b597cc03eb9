"""Turning an uploaded image into the web sizes pages show: plain Pillow, no Flask, no database.

The format is read from the content, never from the file's name or the browser's word for it.
The pixel count is checked from the header, before anything is decoded, so a small file that
unpacks to gigabytes (a decompression bomb) is refused cheaply. The sizes are encoded afresh,
so nothing of the upload's metadata (EXIF with the place it was taken, XMP, comments, ICC
profiles) reaches them.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")

# Longest side in pixels of each size kept, smallest first; never upscaled.
SIZES = {"thumb": 320, "medium": 800, "large": 1600}
CONTENT_TYPE = "image/jpeg"
# A JPEG at this quality is hard to tell from the original on a phone and small on slow data.
JPEG_QUALITY = 80


class BadImage(Exception):
    """Why an upload cannot be used: ``reason`` is one of the keys of pb.photos.services.REASONS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Encoded:
    size: str
    width: int
    height: int
    data: bytes
    content_type: str = CONTENT_TYPE


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        # Pillow warns (and, past twice its limit, raises) on huge images while reading the
        # header; either is a bomb to refuse, and a warning must not slip past as a log line.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadImage("too_many_pixels") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        # UnidentifiedImageError is an OSError: a text file, a zip, anything else.
        raise BadImage("not_an_image") from None
    if image.format not in ACCEPTED_FORMATS:
        raise BadImage("not_an_image")
    width, height = image.size
    if width < 1 or height < 1:
        raise BadImage("not_an_image")
    if width * height > max_pixels:
        raise BadImage("too_many_pixels")
    return image


def _flattened(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparent parts onto white, as a page shows them."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # No exif=, icc_profile= or comment: the new file holds pixels only.
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def web_sizes(data: bytes, max_pixels: int) -> list[Encoded]:
    """The upload as each of SIZES (smallest first), turned upright as the camera meant it.
    Raises BadImage if it is not a whole JPEG, PNG or WebP within ``max_pixels``."""
    image = _open(data, max_pixels)
    largest = max(SIZES.values())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # A JPEG can be decoded at a half, a quarter or an eighth of its size: far less
            # memory for a 50-megapixel photo that becomes 1600 pixels wide anyway.
            image.draft("RGB", (largest, largest))
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadImage("too_many_pixels") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        # A truncated or damaged file: Pillow refuses to make up the missing part.
        raise BadImage("damaged") from None
    finally:
        image.close()
    flat = _flattened(upright)
    sizes = []
    for name, longest in sorted(SIZES.items(), key=lambda item: -item[1]):
        resized = flat.copy()
        # thumbnail() only ever shrinks: a small photo keeps its own size.
        resized.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        sizes.append(Encoded(name, resized.width, resized.height, _encode(resized)))
        flat = resized  # each smaller size from the one above: faster, as sharp
    return sizes[::-1]
