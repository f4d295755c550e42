"""Payload coding: a 32-bit delivery id, protected by a CRC-8 and a soft-decision error-correcting code.

What is carried: the delivery id (32 bits: four billion deliveries, far beyond the millions a studio makes)
and a CRC-8 over it, as five bytes. Each byte becomes one codeword of the biorthogonal code [128, 8, 64]
(first-order Reed–Muller RM(1, 7), the code Mariner 9 used): the sign and one of the 128 rows of a Sylvester
Hadamard matrix. 5 × 128 = 640 coded bits, written by ``embed`` as ±1 chips.

Why this code rather than Reed–Solomon or BCH: the decoder gets *soft* values (a correlation per coded bit,
see ``decode``), and a biorthogonal code is decoded exactly (maximum likelihood) by one 128 × 128 Hadamard
product per byte, using those soft values. At the low signal-to-noise ratios a watermark lives at, low-rate
orthogonal signalling is within a few dB of the best any code can do, and it corrects up to 31 hard bit
errors in each 128. No library is needed for 30 lines of NumPy.

The CRC-8 is a second, independent check against naming a wrong delivery: a payload read from noise passes
it one time in 256, on top of the statistical threshold in ``decode``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

ID_BITS = 32
"""Bits of the delivery id."""

MAX_ID = (1 << ID_BITS) - 1

SYMBOLS = 5
"""Bytes coded: four of the id and one CRC-8."""

SYMBOL_LENGTH = 128
"""Coded bits per byte (one biorthogonal codeword)."""

CODE_LENGTH = SYMBOLS * SYMBOL_LENGTH
"""Coded bits per payload: 640."""

_CRC_POLY = 0x07  # CRC-8/SMBUS (x^8 + x^2 + x + 1): a standard, well-tested polynomial


def _hadamard(order: int) -> npt.NDArray[np.int8]:
    """Sylvester Hadamard matrix: entry (i, j) is (-1) ** popcount(i & j)."""
    index = np.arange(order)
    parity = np.bitwise_count(index[:, None] & index[None, :]) & 1
    signs: npt.NDArray[np.int8] = (1 - 2 * parity).astype(np.int8)
    return signs


_HADAMARD = _hadamard(SYMBOL_LENGTH)


@dataclass(frozen=True)
class PayloadDecision:
    """What soft decoding made of 640 coded values.

    ``delivery_id`` is None when the CRC fails. ``codeword`` is the ±1 codeword of the decoded bytes (of the
    five bytes as read, even when the CRC fails), ``margins`` per byte the gap between the best and the
    second-best codeword's correlation, divided by the best (0: a coin toss, 1: no competitor at all).
    """

    delivery_id: int | None
    codeword: npt.NDArray[np.int8]
    crc_ok: bool
    margins: tuple[float, ...]


def crc8(data: bytes) -> int:
    """CRC-8/SMBUS of ``data``."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ _CRC_POLY) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def payload_hex(delivery_id: int) -> str:
    """The payload as the hex string the CLI prints (eight digits)."""
    _check_id(delivery_id)
    return f"{delivery_id:08x}"


def encode(delivery_id: int) -> npt.NDArray[np.int8]:
    """The 640 ±1 coded bits of a delivery id."""
    _check_id(delivery_id)
    data = delivery_id.to_bytes(4, "big")
    symbols = [*data, crc8(data)]
    # Byte b: bit 7 is the sign, bits 0–6 pick the Hadamard row.
    rows = [(1 - 2 * (byte >> 7)) * _HADAMARD[byte & 0x7F] for byte in symbols]
    return np.concatenate(rows).astype(np.int8)


def decode(soft: npt.ArrayLike) -> PayloadDecision:
    """Maximum-likelihood decoding of 640 soft values (positive means +1); see the module docstring."""
    values = np.asarray(soft, dtype=np.float64)
    if values.shape != (CODE_LENGTH,):
        raise ValueError(f"expected {CODE_LENGTH} soft values, got shape {values.shape}")
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    scores = values.reshape(SYMBOLS, SYMBOL_LENGTH) @ _HADAMARD.T.astype(np.float64)
    symbols: list[int] = []
    margins: list[float] = []
    for row in scores:
        strength = np.abs(row)
        best = int(np.argmax(strength))
        symbols.append(best | (0x80 if row[best] < 0 else 0))
        ranked = np.sort(strength)
        margins.append(float((ranked[-1] - ranked[-2]) / ranked[-1]) if ranked[-1] > 0 else 0.0)
    data = bytes(symbols[:4])
    crc_ok = crc8(data) == symbols[4]
    codeword = np.concatenate([(1 - 2 * (b >> 7)) * _HADAMARD[b & 0x7F] for b in symbols]).astype(np.int8)
    return PayloadDecision(int.from_bytes(data, "big") if crc_ok else None, codeword, crc_ok, tuple(margins))


def _check_id(delivery_id: int) -> None:
    if not 0 <= delivery_id <= MAX_ID:
        raise ValueError(f"delivery id must be in 0..{MAX_ID}, got {delivery_id}")
