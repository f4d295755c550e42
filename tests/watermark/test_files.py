from PIL import Image, PngImagePlugin

from celtrace.watermark import WatermarkKey, decode_image, embed_image, save_like

from .pictures import line_art

KEY = WatermarkKey.from_secret("test studio")


def test_png_keeps_text_and_dpi(tmp_path):
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", "S01E04 layout 12")
    info.add_itxt("Comment", "레이아웃")
    line_art(5, (512, 384)).save(tmp_path / "in.png", pnginfo=info, dpi=(300, 300))
    original = Image.open(tmp_path / "in.png")
    assert save_like(embed_image(original, 42, KEY), original, tmp_path / "out.png") == "PNG"
    copy = Image.open(tmp_path / "out.png")
    assert copy.text == {"Title": "S01E04 layout 12", "Comment": "레이아웃"}
    assert round(copy.info["dpi"][0]) == 300
    assert decode_image(copy, original, KEY).delivery_id == 42


def test_jpeg_keeps_exif_and_tables(tmp_path):
    exif = Image.Exif()
    exif[0x010E] = "key drawing"  # ImageDescription
    line_art(6, (512, 384)).save(tmp_path / "in.jpg", quality=90, exif=exif)
    original = Image.open(tmp_path / "in.jpg")
    assert save_like(embed_image(original, 7, KEY), original, tmp_path / "out.jpg") == "JPEG"
    copy = Image.open(tmp_path / "out.jpg")
    assert copy.getexif()[0x010E] == "key drawing"
    assert copy.quantization == original.quantization
    assert decode_image(copy, original, KEY).delivery_id == 7
