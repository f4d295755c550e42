"""A Hypothesis strategy the list readers' property tests share: valid files, damaged."""

from __future__ import annotations

from hypothesis import strategies as st


@st.composite
def damaged(draw: st.DrawFn, valid: bytes) -> bytes:
    """A valid file cut short, with bytes overwritten, or with bytes inserted."""
    at = draw(st.integers(0, len(valid)))
    noise = draw(st.binary(max_size=20))
    cut, overwritten, inserted = (
        valid[:at],
        valid[:at] + noise + valid[at + len(noise) :],
        valid[:at] + noise + valid[at:],
    )
    return draw(st.sampled_from([cut, overwritten, inserted]))
