from __future__ import annotations

import pickle

import numpy as np
import pytest

from celtrace.assets.hash_index import HashIndex

BACKENDS = ["flat", "multihash"]


def _brute_force(registered_ids, registered, queries, max_distance, k):
    """Reference: popcount of XOR over every code with NumPy, best variant per id, ties by id."""
    table = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint16)
    results = []
    for variants in queries:
        best: dict[int, int] = {}
        for variant in variants:
            distances = table[np.bitwise_xor(registered, variant)].sum(axis=1)
            for position in np.flatnonzero(distances <= max_distance):
                key = int(registered_ids[position])
                best[key] = min(best.get(key, 999), int(distances[position]))
        results.append(sorted(best.items(), key=lambda item: (item[1], item[0]))[:k])
    return results


def _near(code, flips, rng):
    bits = np.unpackbits(code)
    bits[rng.choice(256, size=flips, replace=False)] ^= 1
    return np.packbits(bits)


@pytest.mark.parametrize("backend", BACKENDS)
def test_search_equals_brute_force(backend):
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 256, size=(20_000, 32), dtype=np.uint8)
    ids = rng.integers(0, 5_000, size=len(codes))  # repeated ids: several pages per asset
    queries = rng.integers(0, 256, size=(30, 8, 32), dtype=np.uint8)
    # Plant near neighbours at every distance around the threshold, on random variants.
    for number, flips in enumerate(range(0, 40)):
        query = number % len(queries)
        codes[number * 7] = _near(queries[query, number % 8], flips, rng)
    index = HashIndex(backend)
    index.add(ids[:10_000], codes[:10_000])
    index.add(ids[10_000:], codes[10_000:])
    assert len(index) == len(codes)
    for k in (1, 3, 100):
        assert index.search(queries, k=k) == _brute_force(ids, codes, queries, 31, k)
    assert index.search(queries, max_distance=12) == _brute_force(ids, codes, queries, 12, 10)


def test_flat_is_exact_beyond_31():
    rng = np.random.default_rng(8)
    codes = rng.integers(0, 256, size=(2_000, 32), dtype=np.uint8)
    queries = rng.integers(0, 256, size=(5, 32), dtype=np.uint8)
    index = HashIndex()
    index.add(np.arange(len(codes)), codes)
    expected = _brute_force(np.arange(len(codes)), codes, queries[:, None, :], 110, 10)
    assert index.search(queries, max_distance=110) == expected
    assert all(result for result in expected)


def test_multihash_refuses_inexact_distances():
    index = HashIndex("multihash")
    index.add([1], np.zeros((1, 32), dtype=np.uint8))
    with pytest.raises(ValueError, match="exact only up to"):
        index.search(np.zeros((1, 32), dtype=np.uint8), max_distance=40)


def test_empty_index_and_bad_shapes():
    index = HashIndex()
    assert index.search(np.zeros((2, 8, 32), dtype=np.uint8)) == [[], []]
    index.add([], np.zeros((0, 32), dtype=np.uint8))
    with pytest.raises(ValueError, match="32 bytes"):
        index.add([1], np.zeros((1, 16), dtype=np.uint8))
    with pytest.raises(ValueError, match="expected 2 codes"):
        index.add([1, 2], np.zeros((1, 32), dtype=np.uint8))
    with pytest.raises(ValueError, match="unknown backend"):
        HashIndex("ivf")  # type: ignore[arg-type]


def test_best_variant_wins():
    code = np.zeros(32, dtype=np.uint8)
    index = HashIndex()
    index.add([42], code[None, :])
    far = np.full(32, 0xFF, dtype=np.uint8)
    close = code.copy()
    close[0] = 0b111  # 3 bits away
    assert index.search(np.stack([far, close])[None]) == [[(42, 3)]]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_pickled_index_answers_as_the_original(backend):
    # What a Spark broadcast ships to executors: the codes and ids, searched the same way.
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 256, size=(500, 32), dtype=np.uint8)
    ids = rng.integers(0, 100, size=len(codes))
    index = HashIndex(backend)
    index.add(ids, codes)
    copy = pickle.loads(pickle.dumps(index))
    queries = np.stack([codes[:20], *(codes[20:40] ^ np.uint8(1) for _ in range(7))], axis=1)
    assert (copy.backend, len(copy)) == (backend, 500)
    assert copy.search(queries) == index.search(queries) == _brute_force(ids, codes, queries, 31, 10)
