from __future__ import annotations

import pytest

from celtrace.detectors.registry import DETECTORS, select_detectors
from celtrace.errors import CeltraceError


def test_every_detector_explains_itself():
    for detector in DETECTORS:
        assert len(detector.explanation) > 80, detector.rule
        assert detector.rule.count(".") == 1 and detector.rule.isupper()


def test_select_by_code_family_and_wildcard():
    assert [d.rule for d in select_detectors(["VENDOR.PAYMENT_RED_FLAG"])] == ["VENDOR.PAYMENT_RED_FLAG"]
    family = [d.rule for d in select_detectors(["vendor"])]
    assert family == ["VENDOR.PAYMENT_RED_FLAG", "VENDOR.IDENTITY_RED_FLAG"]
    assert select_detectors(["VENDOR.*", "VENDOR.PAYMENT_RED_FLAG"]) == select_detectors(["VENDOR"])
    assert select_detectors(None) == list(DETECTORS)


def test_unknown_rule_names_the_known_ones():
    with pytest.raises(
        CeltraceError,
        match=r"known rules are SANCTIONS\.MATCH, CHAIN\.SANCTIONED_LINK, CHAIN\.UNDECLARED_SUBCONTRACTOR, "
        r"NET\.DPRK, NET\.HIGH_RISK_REGION, NET\.ANONYMIZER, NET\.IMPOSSIBLE_TRAVEL, NET\.MANY_COUNTRIES, "
        r"NET\.SHARED_INFRA, NET\.UNDECLARED_GEO, NET\.ENDLESS_SESSION, NET\.REMOTE_DESKTOP, ASSET\.LEAK, "
        r"ASSET\.WATERMARK, "
        r"DOC\.DPRK_KOREAN, DOC\.JUCHE_DATE, DOC\.LANGUAGE_MISMATCH, VENDOR",
    ):
        select_detectors(["NET.NOPE"])
