"""A drawn signature is kept only if it is a real, modest PNG data URL."""

import base64
import io
import os

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from agreements.drawing import MAX_BYTES, drawing_clean
from agreements.forms import SignForm


def image_data_url(width=300, height=80, image_format="PNG", mime="image/png", noisy=False):
    image = Image.new("RGB" if image_format == "JPEG" or noisy else "RGBA", (width, height), "white")
    if noisy:
        # Random pixels do not compress, so the file is as big as its pixels.
        image.frombytes(os.urandom(width * height * 3))
    else:
        for x in range(10, width - 10):
            image.putpixel((x, height // 2), (0, 0, 0, 255) if image.mode == "RGBA" else (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode()}"


def test_a_small_png_drawing_is_kept_unchanged():
    value = image_data_url()
    assert drawing_clean(value) == value


def test_nothing_drawn_is_an_empty_drawing():
    assert drawing_clean("") == ""
    assert drawing_clean(None) == ""
    assert drawing_clean("   ") == ""


def test_a_jpeg_is_refused_even_when_it_claims_to_be_a_png():
    with pytest.raises(ValidationError):
        drawing_clean(image_data_url(image_format="JPEG", mime="image/jpeg"))
    with pytest.raises(ValidationError):
        drawing_clean(image_data_url(image_format="JPEG", mime="image/png"))


@pytest.mark.parametrize("value", [
    "data:image/png;base64,not base64 at all!",
    "data:image/png;base64,aGVsbG8gd29ybGQ=",  # valid base64, but "hello world" is no PNG
    "javascript:alert(1)",
    "https://tracker.example/pixel.png",
    "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
])
def test_anything_but_base64_png_is_refused(value):
    with pytest.raises(ValidationError):
        drawing_clean(value)


def test_a_drawing_over_the_size_limit_is_refused():
    value = image_data_url(width=320, height=240, noisy=True)
    assert len(base64.b64decode(value.split(",", 1)[1])) > MAX_BYTES
    with pytest.raises(ValidationError):
        drawing_clean(value)


def test_a_png_with_huge_dimensions_is_refused_though_small_in_bytes():
    value = image_data_url(width=5000, height=200)
    assert len(value) < MAX_BYTES
    with pytest.raises(ValidationError):
        drawing_clean(value)
    with pytest.raises(ValidationError):
        drawing_clean(image_data_url(width=300, height=3000))


def test_a_truncated_png_is_refused():
    value = image_data_url()
    raw = base64.b64decode(value.split(",", 1)[1])
    truncated = "data:image/png;base64," + base64.b64encode(raw[: len(raw) // 2]).decode()
    with pytest.raises(ValidationError):
        drawing_clean(truncated)


def test_the_sign_form_reports_a_bad_drawing_and_keeps_the_typed_name():
    form = SignForm({"agree": "on", "typed_name": "  Helen   Ashworth ", "drawing": "data:image/png;base64,AAAA"})
    assert not form.is_valid()
    assert "drawing" in form.errors
    assert form.cleaned_data["typed_name"] == "Helen Ashworth"
