"""Pictures made in the tests: real files from Pillow, and the bad ones people send."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(width: int = 640, height: int = 480, exif: Image.Exif | None = None) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    # A white block in the top-left corner, to see where it ends up once turned.
    image.paste((255, 255, 255), (0, 0, width // 4, height // 4))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif or Image.Exif(), quality=90)
    return out.getvalue()


def png(width: int = 300, height: int = 200, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (0, 120, 0, 128) if mode == "RGBA" else (0, 120, 0)).save(
        out, "PNG"
    )
    return out.getvalue()


def webp(width: int = 1000, height: int = 700) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 10, 200)).save(out, "WEBP")
    return out.getvalue()


def with_gps() -> bytes:
    """A photo as a phone takes it: the place in its EXIF, and taken on its side."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[ORIENTATION] = 6  # turn 90° clockwise to view
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (42.0, 29.0, 30.0)
    gps[3] = "E"
    gps[4] = (78.0, 23.0, 40.0)
    return jpeg(800, 600, exif)


def bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A small PNG whose pixels, once unpacked, would take gigabytes: one black row
    compressed many times over."""
    raw = zlib.compress(b"\x00" * (width // 8 + 1) * height, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def zip_file() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.jpg", jpeg())
    return out.getvalue()
