import io

import numpy as np
import pytest
from PIL import Image

from celtrace.errors import InputError
from celtrace.watermark import WatermarkKey, decode_image, embed_image, false_attribution_bound
from celtrace.watermark.key import layout

from .pictures import cel, line_art, photo

KEY = WatermarkKey.from_secret("test studio")
DELIVERY = 0x00C0FFEE
OTHER = 0x0BADF00D


def _jpeg(image, quality=75):
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


def _crop(image, share=0.1):
    dx, dy = round(image.width * share / 2), round(image.height * share / 2)
    return image.crop((dx, dy, image.width - dx, image.height - dy))


def _half(image):
    return image.resize((image.width // 2, image.height // 2), Image.Resampling.BICUBIC)


@pytest.fixture(scope="module")
def art():
    return line_art(11, (512, 384))


@pytest.fixture(scope="module")
def marked(art):
    return embed_image(art, DELIVERY, KEY)


def test_key_is_deterministic_and_secret_dependent():
    assert WatermarkKey.from_secret("a") == WatermarkKey.from_secret("a")
    assert WatermarkKey.from_secret("a") != WatermarkKey.from_secret("b")
    one, two = layout(KEY, 512, 384), layout(KEY, 512, 384)
    assert np.array_equal(one.chip, two.chip) and np.array_equal(one.bit, two.bit)
    with pytest.raises(ValueError):
        WatermarkKey.from_secret("")


def test_embedding_is_deterministic_and_invisible(art, marked):
    assert np.array_equal(np.asarray(marked), np.asarray(embed_image(art, DELIVERY, KEY)))
    assert marked.size == art.size and marked.mode == art.mode
    before, after = np.asarray(art, np.float64), np.asarray(marked, np.float64)
    assert 10 * np.log10(255**2 / np.mean((before - after) ** 2)) >= 40
    white = (before == 255).all(axis=2)
    far_from_ink = np.ones_like(white)
    for dy in range(-4, 5):
        for dx in range(-4, 5):
            far_from_ink &= np.roll(white, (dy, dx), axis=(0, 1))
    assert (after[far_from_ink] == 255).all()  # paper away from strokes is untouched


@pytest.mark.parametrize(
    "attack",
    [lambda i: i, _jpeg, _half, _crop, lambda i: i.convert("L")],
    ids=["none", "jpeg75", "half", "crop10", "grey"],
)
def test_decodes_after_attacks(art, marked, attack):
    result = decode_image(attack(marked), art, KEY)
    assert result.delivery_id == DELIVERY, result.reason
    assert result.payload == f"{DELIVERY:08x}"
    assert result.confidence > 0.999999
    assert result.z_for(DELIVERY) == pytest.approx(result.z)
    assert abs(result.z_for(OTHER)) < 6


@pytest.mark.parametrize("attack", [lambda i: i, _jpeg, _half], ids=["none", "jpeg75", "half"])
def test_unmarked_copy_names_nobody(art, attack):
    result = decode_image(attack(art), art, KEY)
    assert result.delivery_id is None
    assert result.payload is None
    assert false_attribution_bound(result.z) > 1e-6


def test_other_delivery_is_not_read_as_this_one(art):
    result = decode_image(_jpeg(embed_image(art, OTHER, KEY)), art, KEY)
    assert result.delivery_id == OTHER
    assert abs(result.z_for(DELIVERY)) < 6


def test_wrong_key_reads_nothing(art, marked):
    assert decode_image(marked, art, WatermarkKey.from_secret("someone else")).delivery_id is None


@pytest.mark.parametrize("make", [cel, photo], ids=["cel", "photo"])
def test_cels_and_photos(make):
    picture = make(3, (512, 384))
    assert decode_image(_jpeg(embed_image(picture, DELIVERY, KEY)), picture, KEY).delivery_id == DELIVERY


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "1"])
def test_modes(art, mode):
    source = art.convert(mode)
    if mode == "RGBA":
        alpha = np.full((art.height, art.width), 255, np.uint8)
        alpha[:, :40] = 0
        source.putalpha(Image.fromarray(alpha))
    copy = embed_image(source, DELIVERY, KEY)
    assert copy.size == source.size
    assert copy.mode == {"P": "RGB", "1": "L"}.get(mode, mode)
    if mode in ("LA", "RGBA"):
        assert np.array_equal(np.asarray(copy)[..., -1], np.asarray(source)[..., -1])  # alpha untouched
    assert decode_image(copy, source, KEY).delivery_id == DELIVERY


def test_hostile_input(art, marked):
    with pytest.raises(InputError, match="too small"):
        embed_image(Image.new("RGB", (40, 30), "white"), DELIVERY, KEY)
    with pytest.raises(InputError, match="mode"):
        embed_image(Image.new("I;16", (512, 384)), DELIVERY, KEY)
    with pytest.raises(InputError, match="too small"):
        decode_image(marked, Image.new("RGB", (40, 30)), KEY)
    blank = Image.new("RGB", (512, 384), "white")
    assert np.array_equal(np.asarray(embed_image(blank, DELIVERY, KEY)), np.asarray(blank))  # nothing to hide in
    assert decode_image(blank, blank, KEY).delivery_id is None
    assert decode_image(blank, art, KEY).delivery_id is None  # nothing to align
    assert decode_image(Image.new("RGB", (8, 8)), art, KEY).reason == "found copy too small"
    deep = decode_image(marked.convert("I;16"), art, KEY)  # a mode embed refuses is still read, never a crash
    assert deep.delivery_id in (None, DELIVERY)
    assert decode_image(Image.new("RGB", (3000, 3), "black"), art, KEY).delivery_id is None  # a sliver
    assert decode_image(line_art(99, (512, 384)), art, KEY).delivery_id is None  # another drawing
