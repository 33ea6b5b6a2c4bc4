"""Drawn signatures as the signature pad posts them (a PNG data URL), real and forged."""

import base64
import struct
import zlib

from hypothesis import strategies as st

PREFIX = "data:image/png;base64,"


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, pixels=b""):
    """A PNG whose header claims width x height (the pixel data may not match: a forgery)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(pixels))
            + _chunk(b"IEND", b""))


def data_url(raw):
    return PREFIX + base64.b64encode(raw).decode()


REAL_DRAWING = data_url(png(2, 1, b"\x00\x00\x00\x00\xff\xff"))

valid_drawing = st.sampled_from(["", REAL_DRAWING])
junk_drawing = st.one_of(
    # Headers claiming any size, up to billions of pixels (a decompression bomb).
    st.builds(png, st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)).map(data_url),
    st.binary(max_size=300).map(data_url),
    st.binary(max_size=50).map(lambda raw: PREFIX + raw.decode("latin-1")),
    st.text(max_size=80).map(lambda text: PREFIX + text),
    st.just(data_url(b"GIF89a" + b"\x00" * 20)),
    st.just(PREFIX + "A" * 300_000),  # beyond the size limit
    st.text(max_size=40),
)
