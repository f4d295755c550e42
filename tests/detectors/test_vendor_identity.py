from __future__ import annotations

from typing import Any

import pytest

from celtrace.detectors.finding import Finding, Severity
from celtrace.detectors.runner import analyze

RULE = "VENDOR.IDENTITY_RED_FLAG"


def findings(workspace: Any, load_chain: Any, **vendor: Any) -> list[Finding]:
    load_chain({"vendors": [{"name": "Vendor", **vendor}]})
    return analyze(workspace, only=[RULE]).findings


def test_a_clean_vendor_has_no_findings(workspace, load_chain):
    clean = findings(
        workspace,
        load_chain,
        country="KR",
        city="Seoul",
        address="27 Saemunan-ro, Jongno-gu, Seoul, Korea, Republic of",
        phones=["+82 2 3210 4567", "02-3210-4568"],
        email_domains=["studio.co.kr", "naver.com"],
        website="https://studio.co.kr",
        languages=["Korean", "English"],
    )
    assert clean == []


def test_north_korean_phone_is_critical(workspace, load_chain):
    [finding] = findings(workspace, load_chain, country="CN", phones=["+850 2 381 2345"])
    assert finding.severity == Severity.CRITICAL
    assert finding.evidence["number_country"] == "kp"
    assert finding.key == "phone:+85023812345"


def test_foreign_phone_is_medium_and_local_numbers_use_the_declared_country(workspace, load_chain):
    [finding] = findings(workspace, load_chain, country="KR", phones=["+86 411 8765 4321", "02 3210 4567"])
    assert finding.severity == Severity.MEDIUM
    assert finding.evidence["value"] == "+86 411 8765 4321"


def test_invalid_phone_is_low(workspace, load_chain):
    [finding] = findings(workspace, load_chain, country="KR", phones=["12"])
    assert (finding.severity, finding.evidence["field"]) == (Severity.LOW, "phones")


@pytest.mark.parametrize(
    ("field", "value", "severity", "domain_country"),
    [
        ("email_domains", ["qq.com"], Severity.MEDIUM, "cn"),
        ("email_domains", ["ops@studio.cn"], Severity.LOW, "cn"),
        ("email_domains", ["mail.example.kp"], Severity.CRITICAL, "kp"),
        ("website", "http://www.studio.cn/about", Severity.LOW, "cn"),
    ],
)
def test_domains_that_point_elsewhere(workspace, load_chain, field, value, severity, domain_country):
    [finding] = findings(workspace, load_chain, country="KR", **{field: value})
    assert (finding.severity, finding.evidence["domain_country"]) == (severity, domain_country)


def test_generic_country_domains_are_not_a_flag(workspace, load_chain):
    assert findings(workspace, load_chain, country="KR", email_domains=["studio.io", "studio.co"]) == []


def test_address_naming_another_country(workspace, load_chain):
    [finding] = findings(workspace, load_chain, country="KR", address="17 Binjiang Road, Dandong, Liaoning, China")
    assert finding.severity == Severity.MEDIUM
    assert finding.evidence["place_country"] == "cn"


def test_front_company_city_without_country_name(workspace, load_chain):
    [finding] = findings(workspace, load_chain, country="KR", city="Yanji")
    assert finding.evidence["place"] == "Yanji"


def test_address_in_pyongyang_is_critical(workspace, load_chain):
    [finding] = findings(workspace, load_chain, country="CN", address="Pyongyang")
    assert finding.severity == Severity.CRITICAL


def test_address_that_also_names_the_declared_country_is_not_a_flag(workspace, load_chain):
    # Georgia the US state reads as Georgia the country; the address also says USA, so no flag.
    assert findings(workspace, load_chain, country="US", address="1 Peachtree St, Atlanta, Georgia, USA") == []


def test_korean_in_a_non_korean_home(workspace, load_chain):
    [finding] = findings(workspace, load_chain, country="CN", languages=["Chinese", "한국어"])
    assert finding.severity == Severity.MEDIUM
    assert "October 2023" in finding.explanation


def test_declared_north_korea_is_critical(workspace, load_chain):
    [finding] = findings(workspace, load_chain, country="KP")
    assert (finding.severity, finding.key) == (Severity.CRITICAL, "country")
