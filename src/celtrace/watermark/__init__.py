"""Forensic watermarks: each delivered copy of a drawing carries its delivery id, readable from a leaked copy.

    key = WatermarkKey.from_secret(studio_secret)
    copy = embed_image(original, delivery_id, key)          # same size and mode; write with save_like()
    result = decode_image(found, original, key)             # result.delivery_id or None, result.confidence

See ``payload`` (coding), ``embed``, ``align`` and ``decode`` for how and why.
"""

from celtrace.watermark.decode import MAX_FALSE_ATTRIBUTION, DecodeResult, decode_image, false_attribution_bound
from celtrace.watermark.embed import embed_image
from celtrace.watermark.files import load_image, save_like
from celtrace.watermark.key import WatermarkKey
from celtrace.watermark.payload import MAX_ID, payload_hex

__all__ = [
    "MAX_FALSE_ATTRIBUTION",
    "MAX_ID",
    "DecodeResult",
    "WatermarkKey",
    "decode_image",
    "embed_image",
    "false_attribution_bound",
    "load_image",
    "payload_hex",
    "save_like",
]
