"""What the three OFAC readers share: telling formats apart, refusing hostile XML, never failing otherwise."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from celtrace.errors import InputError
from celtrace.lists import ofac_advanced, ofac_csv, ofac_xml
from celtrace.lists.model import Target
from tests.lists.damage import damaged

FIXTURES = Path(__file__).parent / "fixtures" / "ofac"
SDN_XML = (FIXTURES / "sdn.xml").read_bytes()
CONSOLIDATED_XML = (FIXTURES / "consolidated.xml").read_bytes()
ADVANCED = (FIXTURES / "sdn_advanced.xml").read_bytes()
CSV_ROWS = (
    b'9345,"KOREA MINING DEVELOPMENT TRADING CORPORATION",-0- ,"NPWMD] [DPRK2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    b"\"Secondary sanctions risk: North Korea Sanctions Regulations; a.k.a. 'KOMID'.\"\r\n"
    b'17616,"RYU, Jin","individual","DPRK2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    b'"DOB 07 Aug 1965; Passport 563410081."\r\n'
    b"\x1a"
)
UN_HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:00">'
EU_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<export xmlns="http://eu.europa.ec/fpi/fsd/export">'
READERS = (ofac_csv, ofac_xml, ofac_advanced)
# Each XML reader with a file name and the root element it expects.
XML_READERS = [(ofac_xml, "sdn.xml", "sdnList"), (ofac_advanced, "SDN_ADVANCED.XML", "Sanctions")]

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE {root} [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<{root}>&lol9;</{root}>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<{root}>&xxe;</{root}>"""
EXTERNAL_DTD = '<?xml version="1.0"?>\n<!DOCTYPE {root} SYSTEM "http://127.0.0.1:9/evil.dtd">\n<{root}/>'
UNDECLARED_ENTITY = '<?xml version="1.0"?>\n<{root}>&xxe;</{root}>'


def exhaust(module: ModuleType, paths: list[Path]) -> list[Target]:
    targets: list[Target] = list(module.read(paths).targets)
    return targets


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("sdn.csv", CSV_ROWS, "ofac-csv"),
        ("sdn.xml", SDN_XML, "ofac-xml"),
        ("consolidated.xml", CONSOLIDATED_XML, "ofac-xml"),
        ("sdn.xml", SDN_XML.decode().encode("utf-16"), "ofac-xml"),
        ("sdn.xml", b"<!-- <Sanctions> -->\n<sdnList>", "ofac-xml"),
        ("SDN_ADVANCED.XML", ADVANCED, "ofac-advanced"),
        (
            "CONS_ADVANCED.XML",
            b'\xef\xbb\xbf<?xml version="1.0"?><Sanctions xmlns="http://www.un.org/sanctions/1.0">',
            "ofac-advanced",
        ),
        ("consolidated.xml", UN_HEAD, None),
        ("eu.xml", EU_HEAD, None),
        ("sdn.csv", b"", "ofac-csv"),  # an empty file named like OFAC's is one
        ("list.xml", b"", None),
        ("list.xml", b"not xml at all", None),
    ],
)
def test_each_format_is_recognised_and_no_other(name: str, head: bytes, expected: str | None) -> None:
    recognised = [module.FORMAT for module in READERS if module.sniff(Path(name), head[:4096])]
    assert recognised == ([expected] if expected else [])


@pytest.mark.parametrize(("module", "name", "root"), XML_READERS)
@pytest.mark.parametrize(
    ("document", "message"),
    [
        (BILLION_LAUGHS, "declares a DTD or entities"),
        (XXE, "declares a DTD or entities"),
        (EXTERNAL_DTD, "declares a DTD or entities"),
        (UNDECLARED_ENTITY, "malformed XML at line 2, column"),
        ("", "malformed XML at line 1, column 0"),
    ],
)
def test_hostile_xml_is_refused(
    tmp_path: Path, module: ModuleType, name: str, root: str, document: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(document.format(root=root))
    with pytest.raises(InputError, match=message) as caught:
        exhaust(module, [path])
    assert caught.value.file == str(path)


@pytest.mark.parametrize(
    ("module", "name", "data"), [(ofac_xml, "sdn.xml", SDN_XML), (ofac_advanced, "x.xml", ADVANCED)]
)
def test_truncated_xml_names_the_line_and_column(tmp_path: Path, module: ModuleType, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data[: len(data) * 2 // 3])
    last_line = data[: len(data) * 2 // 3].count(b"\n") + 1
    with pytest.raises(InputError, match=rf"malformed XML at line {last_line}, column \d+") as caught:
        exhaust(module, [path])
    assert caught.value.file == str(path)


def only_input_errors(module: ModuleType, files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        paths = []
        for name, data in files.items():
            paths.append(Path(directory) / name)
            paths[-1].write_bytes(data)
        try:
            targets = exhaust(module, paths)
        except InputError:
            return
        assert all(isinstance(target, Target) and target.names for target in targets)


@settings(max_examples=80, deadline=None)
@given(primary=st.one_of(st.binary(max_size=400), damaged(CSV_ROWS)), alt=st.binary(max_size=100))
def test_csv_reader_only_raises_input_error(primary: bytes, alt: bytes) -> None:
    only_input_errors(ofac_csv, {"sdn.csv": primary, "alt.csv": alt})


@settings(max_examples=80, deadline=None)
@given(data=st.one_of(st.binary(max_size=400), damaged(SDN_XML), damaged(CONSOLIDATED_XML)))
def test_xml_reader_only_raises_input_error(data: bytes) -> None:
    only_input_errors(ofac_xml, {"sdn.xml": data})


@settings(max_examples=80, deadline=None)
@given(data=st.one_of(st.binary(max_size=400), damaged(ADVANCED)))
def test_advanced_reader_only_raises_input_error(data: bytes) -> None:
    only_input_errors(ofac_advanced, {"SDN_ADVANCED.XML": data})
