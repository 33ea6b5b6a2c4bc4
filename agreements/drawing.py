"""A drawn signature arrives as a PNG data URL from the signature pad; check it before keeping it."""

import base64
import binascii
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

PREFIX = "data:image/png;base64,"
MAX_BYTES = 200 * 1024
MAX_SIZE = (2000, 1000)


def drawing_clean(value):
    """The data URL unchanged if it is a real, modest PNG; '' when nothing was drawn."""
    value = (value or "").strip()
    if not value:
        return ""
    error = ValidationError(_("The drawn signature could not be read. Clear it and draw again, or just "
                              "type your name."), code="bad_drawing")
    if not value.startswith(PREFIX):
        raise error
    try:
        raw = base64.b64decode(value[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise error from exc
    if len(raw) > MAX_BYTES:
        raise error
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG" or image.width > MAX_SIZE[0] or image.height > MAX_SIZE[1]:
                raise error
            image.verify()
    # A header claiming billions of pixels is refused by Pillow with its own error, not OSError.
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise error from exc
    return value
