"""Local features: ORB keypoints, their storage, and geometric verification of a copy against its source."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from celtrace.assets.images import WorkingImage
from celtrace.assets.local_features import (
    FEATURES,
    MIN_INLIERS,
    WORKING_SIZE,
    LocalFeatures,
    extract,
    extract_bytes,
    verify,
)
from celtrace.demo.drawings import drawing, encode


def _features(image: Image.Image) -> LocalFeatures:
    """Keypoints of an image decoded as a query is: encoded to PNG, then the one preprocessing path."""
    [page] = extract_bytes(encode(image, "PNG"), "query")
    return page


@pytest.fixture(scope="module")
def source() -> Image.Image:
    return drawing(1)


@pytest.fixture(scope="module")
def reference(source: Image.Image) -> LocalFeatures:
    return _features(source)


def test_extract_keeps_the_strongest_keypoints_of_the_working_image(reference):
    assert 0 < len(reference) <= FEATURES
    assert (reference.width, reference.height) == (WORKING_SIZE, WORKING_SIZE * 3 // 4)
    assert reference.points.shape == (len(reference), 2) and reference.points.dtype == np.float32
    assert reference.descriptors.shape == (len(reference), 32) and reference.descriptors.dtype == np.uint8
    assert (reference.points >= 0).all()
    assert (reference.points[:, 0] < reference.width).all() and (reference.points[:, 1] < reference.height).all()


def test_blobs_round_trip_within_float16_precision(reference):
    points, descriptors = reference.to_blobs()
    back = LocalFeatures.from_blobs(points, descriptors, reference.width, reference.height, page=3)
    assert (back.width, back.height, back.page, len(back)) == (reference.width, reference.height, 3, len(reference))
    assert back.points.dtype == np.float32
    # float16 keeps 11 significant bits: under 512 pixels, a quarter pixel at worst.
    assert np.allclose(back.points, reference.points, rtol=2**-11, atol=0)
    assert np.abs(back.points - reference.points).max() <= 0.25
    assert np.array_equal(back.descriptors, reference.descriptors)


def test_blobs_of_different_lengths_are_refused(reference):
    points, descriptors = reference.to_blobs()
    with pytest.raises(ValueError, match="keypoints but"):
        LocalFeatures.from_blobs(points[:-4], descriptors, reference.width, reference.height)
    with pytest.raises(ValueError, match="keypoints but"):
        LocalFeatures.from_blobs(points, descriptors[:-32], reference.width, reference.height)


def test_an_image_verifies_against_itself(reference):
    result = verify(reference, reference)
    assert result is not None and result.is_match
    assert result.inliers >= 0.9 * len(reference)
    assert result.share >= 0.95
    assert result.scale == pytest.approx(1.0, abs=0.01)
    assert result.rotation == pytest.approx(0.0, abs=0.5)


def test_a_centre_crop_maps_onto_its_source_at_half_scale(source, reference):
    width, height = source.size
    crop = source.crop((width // 4, height // 4, 3 * width // 4, 3 * height // 4))
    result = verify(_features(crop), reference)
    assert result is not None and result.is_match
    # Both are decoded to 512 pixels wide, so the crop's working image is drawn at twice the source's scale:
    # the transform goes from the query onto the reference, and halves.
    assert result.scale == pytest.approx(0.5, abs=0.03)
    assert result.rotation == pytest.approx(0.0, abs=1.0)


def test_the_reference_direction_is_the_inverse(source, reference):
    width, height = source.size
    crop = _features(source.crop((width // 4, height // 4, 3 * width // 4, 3 * height // 4)))
    result = verify(reference, crop)
    assert result is not None and result.is_match
    assert result.scale == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize("degrees", [5, -5])
def test_a_small_turn_is_measured_with_its_sign(source, reference, degrees):
    turned = _features(source.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor="white"))
    result = verify(turned, reference)
    assert result is not None and result.is_match
    # Pillow turns counter-clockwise for a positive angle; mapping the copy back onto the source turns it
    # clockwise on screen, which in image coordinates (y down) is a positive angle.
    assert result.rotation == pytest.approx(degrees, abs=0.5)
    assert result.scale == pytest.approx(1.0, abs=0.02)


def test_a_panel_of_a_sheet_maps_onto_its_source(source, reference):
    width, height = source.size
    sheet = Image.new("RGB", (2 * width, 2 * height), "white")
    for position, panel in enumerate([drawing(20), drawing(21), drawing(22), source]):
        sheet.paste(panel, ((position % 2) * width, (position // 2) * height))
    result = verify(_features(sheet), reference)
    assert result is not None and result.is_match
    assert result.scale == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize("seed", [2, 3, 5, 8, 13, 21])
def test_unrelated_drawings_do_not_verify(reference, seed):
    result = verify(_features(drawing(seed)), reference)
    assert result is None or not result.is_match


def test_a_blank_page_has_no_keypoints_and_verifies_against_nothing(reference):
    blank = _features(Image.new("RGB", (1024, 768), "white"))
    assert len(blank) == 0
    assert blank.points.shape == (0, 2) and blank.descriptors.shape == (0, 32)
    assert verify(blank, reference) is None
    assert verify(reference, blank) is None


def test_too_few_keypoints_verify_against_nothing(reference):
    few = LocalFeatures(reference.points[: MIN_INLIERS - 1], reference.descriptors[: MIN_INLIERS - 1], 512, 384)
    assert verify(few, reference) is None


def test_a_tiny_image_extracts_without_error():
    pixels = np.asarray(drawing(4).resize((8, 8)), dtype=np.uint8)
    features = extract(WorkingImage(pixels, page=0, source_size=(8, 8), source_format="PNG"))
    assert (features.width, features.height) == (8, 8)
    assert features.points.shape == (len(features), 2) and features.descriptors.shape == (len(features), 32)


@settings(max_examples=40, deadline=None)
@given(width=st.integers(1, 700), height=st.integers(1, 4))
def test_a_picture_one_to_four_pixels_high_has_no_keypoints_and_no_error(width, height):
    # OpenCV's ORB pyramid asserted on a side that shrinks to 0 pixels: a 1-pixel-high working image crashed.
    for w, h in ((width, height), (height, width)):
        pixels = np.zeros((h, w, 3), np.uint8)
        features = extract(WorkingImage(pixels, page=0, source_size=(w, h), source_format="PNG"))
        assert len(features) == 0 and (features.width, features.height) == (w, h)


def test_a_one_pixel_line_decodes_to_empty_features():
    [page] = extract_bytes(encode(Image.new("RGB", (2000, 1), "black"), "PNG"), "line.png")
    assert len(page) == 0 and page.height == 1
