"""Candidate search: registered pages vote by the ORB descriptors a query shares, ranked by their geometry."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from celtrace.assets.feature_index import INDEXED, QUERIED, FeatureIndex
from celtrace.assets.local_features import LocalFeatures, extract_bytes
from celtrace.demo.drawings import drawing, encode

SOURCE = 7
DISTRACTORS = [seed for seed in range(16) if seed != SOURCE]


def _features(seed: int, box: tuple[float, float, float, float] = (0, 0, 1, 1)) -> LocalFeatures:
    """Keypoints of the drawing ``seed``, or of the part ``box`` (fractions of width and height) of it."""
    image = drawing(seed)
    width, height = image.size
    left, top, right, bottom = box
    image = image.crop((int(left * width), int(top * height), int(right * width), int(bottom * height)))
    [page] = extract_bytes(encode(image, "PNG"), f"drawing-{seed}")
    return page


@pytest.fixture(scope="module")
def pages() -> dict[int, LocalFeatures]:
    return {seed: _features(seed) for seed in [SOURCE, *DISTRACTORS]}


@pytest.fixture(scope="module")
def crop() -> LocalFeatures:
    return _features(SOURCE, (0.2, 0.15, 0.85, 0.9))


def _index(pages: dict[int, LocalFeatures], **options: int) -> FeatureIndex:
    index = FeatureIndex(**options)
    # Keys are not the seeds and not contiguous: the index must hand back whatever key a page was given.
    for seed, features in pages.items():
        index.add(1000 + 37 * seed, features)
    return index


def test_the_source_of_a_crop_ranks_first(pages, crop):
    index = _index(pages)
    assert len(index) == INDEXED * len(pages)
    ranked = index.candidates(crop, limit=5)
    assert len(ranked) == 5
    assert ranked[0][0] == 1000 + 37 * SOURCE
    votes = [count for _, count in ranked]
    assert votes == sorted(votes, reverse=True)
    # First on votes, not by the tie-break on the key.
    assert votes[0] > votes[1]


def test_a_query_descriptor_votes_once_for_a_page(pages, crop):
    source = pages[SOURCE]
    once = FeatureIndex()
    once.add(1, source)
    [(key, single)] = once.candidates(crop)
    assert key == 1 and 0 < single <= min(QUERIED, len(crop))
    # A page holding every descriptor twice: both copies are near the same query descriptors, one vote each.
    doubled = FeatureIndex()
    doubled.add(1, source)
    doubled.add(1, source)
    assert doubled.candidates(crop) == [(1, single)]
    # The same page under two keys: each gets about the votes it would get alone. Not always exactly: where a
    # query descriptor has several equally near ones, their copies under both keys compete for its
    # NEIGHBOURS places, and one key can take them all.
    two_keys = FeatureIndex()
    two_keys.add(1, source)
    two_keys.add(2, source)
    [(first, first_votes), (second, second_votes)] = two_keys.candidates(crop)
    assert {first, second} == {1, 2}
    assert 0.98 * single <= second_votes <= first_votes <= single


def test_a_page_queried_with_itself_agrees_on_every_shared_descriptor(pages):
    source = pages[SOURCE]
    index = FeatureIndex()
    index.add(3, source)
    [(key, agreeing)] = index.candidates(source)
    assert key == 3
    # The query's first descriptors are the page's first: each votes for itself, in the same place.
    shared = min(QUERIED, INDEXED, len(source))
    assert 0.95 * shared <= agreeing <= shared


def test_the_inverted_file_ranks_the_source_first_as_the_flat_scan_does(pages, crop):
    flat = _index(pages)
    ivf = _index(pages, ivf_above=1000)
    # 16 pages of INDEXED descriptors each: past ivf_above, so an inverted file of 2 * sqrt(n) cells.
    assert len(ivf) == 16 * INDEXED > 1000
    flat_ranked, ivf_ranked = flat.candidates(crop), ivf.candidates(crop)
    # The only outward sign of which index was built: an inverted file keeps its quantizer alive.
    assert ivf._quantizer is not None and flat._quantizer is None
    assert ivf_ranked[0][0] == flat_ranked[0][0] == 1000 + 37 * SOURCE
    assert ivf_ranked[0][1] > ivf_ranked[1][1]


def test_add_after_a_search_is_refused(pages, crop):
    index = FeatureIndex()
    index.add(1, pages[SOURCE])
    index.candidates(crop)
    with pytest.raises(RuntimeError, match="add every page before searching"):
        index.add(2, pages[DISTRACTORS[0]])


def test_an_empty_index_and_an_empty_query_have_no_candidates(pages, crop):
    assert FeatureIndex().candidates(crop) == []
    blank = LocalFeatures(np.empty((0, 2), np.float32), np.empty((0, 32), np.uint8), 512, 384)
    index = FeatureIndex()
    index.add(1, blank)
    assert len(index) == 0
    assert index.candidates(crop) == []
    index = FeatureIndex()
    index.add(1, pages[SOURCE])
    assert index.candidates(blank) == []


@pytest.mark.parametrize("ivf_above", [1000, 10**9], ids=["inverted-file", "flat"])
def test_a_pickled_index_is_the_built_one(pages, crop, ivf_above):
    # What a Spark broadcast ships: the trained index itself, so executors find what the driver would.
    index = _index(pages, ivf_above=ivf_above)
    copy = pickle.loads(pickle.dumps(index))
    assert len(copy) == len(index) == 16 * INDEXED
    assert copy.candidates(crop) == index.candidates(crop)
    assert copy.candidates(crop)[0][0] == 1000 + 37 * SOURCE
