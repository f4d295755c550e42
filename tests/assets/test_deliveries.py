"""deliver: watermarked copies recorded as one delivery; attribution names its vendor only on strong evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from celtrace.assets.attribution import Attributor
from celtrace.assets.deliveries import deliver
from celtrace.assets.matcher import AssetMatcher
from celtrace.assets.registry import add_assets
from celtrace.assets.studio_key import existing_key, watermark_key
from celtrace.watermark import MAX_FALSE_ATTRIBUTION, WatermarkKey, embed_image, load_image
from celtrace.workspace.schema import AuditEntry, Delivery, DeliveryItem, WorkspaceSecret
from tests.assets.deliveries_case import CHAIN, bad_files, drawings


def _attribute(workspace, path: Path):
    with workspace.session() as session:
        attributor = Attributor(session, existing_key(session))
        return attributor.attribute(lambda: load_image(path, str(path)), AssetMatcher(session).match(path))


def test_a_delivery_writes_faithful_copies_and_records_vendor_assets_and_time(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    originals = drawings(tmp_path / "layouts")
    Image.open(originals[1]).convert("L").save(originals[1])  # a greyscale drawing stays greyscale
    out = tmp_path / "outbox" / "lotus"

    summary = deliver(workspace, [tmp_path / "layouts"], "bright lotus animation", out, production="Skyward Tails")

    assert summary.failed == [] and summary.registered == 2
    assert (summary.vendor_id, summary.vendor_name) == ("lotus", "Bright Lotus Animation")
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in originals]  # no .partial left behind
    for original in originals:
        with Image.open(original) as before, Image.open(out / original.name) as after:
            assert (after.format, after.size, after.mode) == (before.format, before.size, before.mode)
            assert after.tobytes() != before.tobytes()
    with workspace.session() as session:
        [delivery] = session.scalars(select(Delivery)).all()
        items = session.scalars(select(DeliveryItem).order_by(DeliveryItem.file_name)).all()
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "deliver")).all()
        secret = session.get_one(WorkspaceSecret, "watermark").value
    assert delivery.id == summary.delivery_id and 0 < delivery.id < 2**32
    assert (delivery.vendor_id, delivery.actor, delivery.out_dir) == ("lotus", workspace.settings.actor, str(out))
    assert [item.file_name for item in items] == [p.name for p in originals]
    assert all(len(item.sha256) == 64 and item.format == "PNG" for item in items)
    assert entry.detail["delivery"] == delivery.id and entry.detail["vendor_id"] == "lotus"
    assert secret not in str(entry.detail)

    result = _attribute(workspace, out / originals[0].name)
    assert result is not None and result.delivery_id == delivery.id and result.vendor_name == "Bright Lotus Animation"
    assert result.bound <= MAX_FALSE_ATTRIBUTION and result.confidence >= 1 - MAX_FALSE_ATTRIBUTION
    assert result.payload is not None and len(result.payload) == 8


def test_two_vendors_get_different_ids_and_a_copy_names_its_own(workspace, load_chain, tmp_path):
    load_chain(CHAIN)
    originals = drawings(tmp_path / "layouts", 1)
    add_assets(workspace, originals, "Skyward Tails")
    lotus = deliver(workspace, originals, "明莲动画", tmp_path / "lotus")  # an alias names the vendor too
    hanbit = deliver(workspace, originals, "hanbit", tmp_path / "hanbit")
    assert (lotus.vendor_id, hanbit.vendor_id) == ("lotus", "hanbit") and lotus.delivery_id != hanbit.delivery_id
    name = originals[0].name
    # JPEG at quality 85 of the Hanbit copy: still Hanbit's.
    Image.open(tmp_path / "hanbit" / name).convert("RGB").save(tmp_path / "found.jpg", quality=85)
    found = _attribute(workspace, tmp_path / "found.jpg")
    assert found is not None and (found.delivery_id, found.vendor_id) == (hanbit.delivery_id, "hanbit")
    assert _attribute(workspace, tmp_path / "lotus" / name).vendor_id == "lotus"  # type: ignore[union-attr]


def test_the_key_is_made_once_and_shared(workspace):
    with workspace.session() as session:
        assert existing_key(session) is None
    first = watermark_key(workspace)
    assert watermark_key(workspace) == first
    with workspace.session() as session:
        assert existing_key(session) == first


def test_an_unmarked_a_foreign_and_an_unknown_delivery_copy_name_nobody(workspace, tmp_path):
    originals = drawings(tmp_path / "layouts", 1)
    summary = deliver(workspace, originals, "Northwind Layout Co.", tmp_path / "out", production="Skyward Tails")
    assert summary.vendor_id is None and summary.vendor_name == "Northwind Layout Co."  # no chain: kept by name
    original = Image.open(originals[0])
    key = watermark_key(workspace)
    cases = {
        "unmarked": original,
        "another studio's key": embed_image(original, summary.delivery_id or 0, WatermarkKey.from_secret("other")),
        "no delivery of this drawing": embed_image(original, 12345, key),
    }
    for what, image in cases.items():
        path = tmp_path / f"{what}.png"
        image.save(path)
        result = _attribute(workspace, path)
        assert result is not None and result.delivery_id is None and result.vendor_name is None, what
        assert result.bound > MAX_FALSE_ATTRIBUTION or "no delivery" in result.reason, what
    assert "12345" not in _attribute(workspace, tmp_path / "unmarked.png").reason  # type: ignore[union-attr]


def test_a_drawing_not_registered_needs_the_production(workspace, tmp_path):
    originals = drawings(tmp_path / "layouts", 1)
    summary = deliver(workspace, originals, "lotus", tmp_path / "out")
    assert summary.delivery_id is None and not (tmp_path / "out" / originals[0].name).exists()
    assert summary.failed == [(str(originals[0]), "not a registered drawing: give --production to register it")]
    with workspace.session() as session:
        assert session.scalars(select(Delivery)).all() == []


def test_bad_files_are_reported_one_by_one_and_the_good_one_is_delivered(workspace, tmp_path):
    [good] = drawings(tmp_path / "layouts", 1)
    bad = bad_files(tmp_path / "bad", good)
    tiny = tmp_path / "bad" / "tiny.png"
    Image.new("RGB", (40, 30), "white").save(tiny)
    missing = tmp_path / "missing.png"
    summary = deliver(
        workspace, [*bad.values(), tiny, good, missing], "lotus", tmp_path / "out", production="Skyward Tails"
    )
    assert summary.delivery_id is not None and [Path(c).name for _, c in summary.copies] == [good.name]
    failed = dict(summary.failed)
    assert set(failed) == {*map(str, bad.values()), str(tiny), str(missing)}
    assert "decompression bomb" in failed[str(bad["bomb"])]
    assert "no such file" in failed[str(missing)]
    assert "too small" in failed[str(tiny)]


def test_a_copy_never_overwrites_a_file_already_there(workspace, tmp_path):
    [good] = drawings(tmp_path / "layouts", 1)
    out = tmp_path / "out"
    out.mkdir()
    (out / good.name).write_bytes(b"earlier delivery")
    summary = deliver(workspace, [good], "lotus", out, production="Skyward Tails")
    assert summary.delivery_id is None and "already exists" in summary.failed[0][1]
    assert (out / good.name).read_bytes() == b"earlier delivery"


@pytest.mark.parametrize("what", ["corrupt", "truncated", "not an image", "bomb"])
def test_load_image_turns_every_bad_file_into_an_input_error(tmp_path, what):
    from celtrace.errors import InputError

    [good] = drawings(tmp_path / "layouts", 1)
    path = bad_files(tmp_path / "bad", good)[what]
    with pytest.raises(InputError) as raised:
        load_image(path, str(path))
    assert raised.value.file == str(path)


def test_a_gif_is_delivered_as_a_png_named_so_and_a_jpeg_stays_a_jpeg(workspace, tmp_path):
    [png] = drawings(tmp_path / "layouts", 1)
    gif, jpeg = tmp_path / "layouts" / "cut.gif", tmp_path / "layouts" / "cut2.jpg"
    Image.open(png).convert("P").save(gif)
    Image.open(png).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(jpeg, quality=90)
    summary = deliver(workspace, [gif, jpeg], "lotus", tmp_path / "out", production="P")
    assert summary.failed == []
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["cut.png", "cut2.jpg"]
    with Image.open(tmp_path / "out" / "cut.png") as copy, Image.open(tmp_path / "out" / "cut2.jpg") as other:
        assert (copy.format, copy.mode, other.format) == ("PNG", "RGB", "JPEG")
    with workspace.session() as session:
        formats = {item.file_name: item.format for item in session.scalars(select(DeliveryItem))}
    assert formats == {"cut.png": "PNG", "cut2.jpg": "JPEG"}


def test_two_drawings_with_one_name_deliver_the_first_and_refuse_the_second(workspace, tmp_path):
    first, second = drawings(tmp_path / "sc01", 1)[0], drawings(tmp_path / "sc02", 2)[1]
    shared = second.with_name(first.name)
    second.rename(shared)
    out = tmp_path / "out"
    summary = deliver(workspace, [first, shared], "lotus", out, production="Skyward Tails")
    assert summary.delivery_id is not None and [source for source, _ in summary.copies] == [str(first)]
    assert summary.failed == [(str(shared), f"another file of this delivery is already named {first.name}")]
    # The first copy is whole and recorded; no partial file is left behind.
    assert sorted(path.name for path in out.iterdir()) == [first.name]
    with workspace.session() as session:
        [item] = session.scalars(select(DeliveryItem)).all()
    assert item.file_name == first.name and _attribute(workspace, out / first.name).delivery_id == summary.delivery_id
