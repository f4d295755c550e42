import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from celtrace.watermark import payload


def test_round_trip_clean():
    for delivery in (0, 1, 123456789, payload.MAX_ID):
        decision = payload.decode(payload.encode(delivery))
        assert decision.delivery_id == delivery
        assert decision.crc_ok
        assert min(decision.margins) == 1.0


def test_encoding_is_balanced_plus_minus_one():
    code = payload.encode(0xC0FFEE)
    assert code.shape == (payload.CODE_LENGTH,)
    assert set(np.unique(code)) == {-1, 1}


def test_hard_bit_errors_are_corrected():
    # RM(1, 7) corrects up to 31 wrong bits in each 128: flip 30 in every byte's codeword.
    rng = np.random.default_rng(1)
    code = payload.encode(987654321).astype(np.float64)
    for symbol in range(payload.SYMBOLS):
        flip = rng.choice(payload.SYMBOL_LENGTH, 30, replace=False) + symbol * payload.SYMBOL_LENGTH
        code[flip] *= -1
    assert payload.decode(code).delivery_id == 987654321


def test_noise_alone_rarely_passes_the_check_byte():
    rng = np.random.default_rng(2)
    passed = sum(payload.decode(rng.normal(size=payload.CODE_LENGTH)).crc_ok for _ in range(400))
    assert passed <= 8  # expected 400 / 256


def test_bad_input():
    with pytest.raises(ValueError):
        payload.encode(-1)
    with pytest.raises(ValueError):
        payload.encode(payload.MAX_ID + 1)
    with pytest.raises(ValueError):
        payload.decode(np.zeros(10))
    # NaN or all-zero soft values decode to "nothing", not a crash
    assert payload.decode(np.full(payload.CODE_LENGTH, np.nan)).codeword.shape == (payload.CODE_LENGTH,)
    assert payload.payload_hex(255) == "000000ff"


@settings(max_examples=60, deadline=None)
@given(
    delivery=st.integers(0, payload.MAX_ID),
    noise=st.floats(0.0, 1.2),
    seed=st.integers(0, 2**32 - 1),
)
def test_soft_decoding_property(delivery, noise, seed):
    """With Gaussian noise up to 1.2 times the signal (~20% raw bit errors), the id always comes back."""
    rng = np.random.default_rng(seed)
    soft = payload.encode(delivery) + rng.normal(0, noise, payload.CODE_LENGTH)
    assert payload.decode(soft).delivery_id == delivery


@given(st.integers(0, payload.MAX_ID), st.integers(0, payload.MAX_ID))
def test_distinct_ids_have_distant_codewords(a, b):
    if a != b:
        distance = int(np.sum(payload.encode(a) != payload.encode(b)))
        assert distance >= 64  # at least one byte differs, and two biorthogonal codewords differ in >= 64 bits
