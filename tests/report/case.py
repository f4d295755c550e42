"""The realistic case the report tests share, and checks that it is what they assume.

``build_case`` lays out a studio's chain four tiers deep: Korean, Canadian and Singaporean vendors, a
Shenyang subcontractor, a Dandong front and a Pyongyang art unit below them, with findings stored as an
analysis run so that the report tests do not depend on which detectors exist.
"""

from __future__ import annotations

from typing import Any

from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.runner import store_run
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Account, Link, Person, Vendor
from tests import factories

MOONLIT = "Moonlit Harbor"
KITES = "Paper Kites"


def vendor(vendor_id: str, name: str, country: str, city: str, **fields: Any) -> Vendor:
    """A vendor row with the fields a test cares about."""
    return factories.vendor(vendor_id, name, country=country, city=city, **fields)


def sub(client: str, contractor: str, status: str = "declared", production: str | None = MOONLIT) -> Link:
    """``client`` hands work to ``contractor``."""
    evidence = None if status == "declared" else "watermark of delivery D-118 found in trove"
    return factories.sub(client, contractor, status, production=production, evidence=evidence)


def control(kind: str, person: str, vendor_id: str, status: str = "declared") -> Link:
    """``person`` owns, directs or works for ``vendor_id``."""
    return factories.link(kind, ("person", person), ("vendor", vendor_id), status)


def add_findings(workspace: Workspace, findings: list[Finding]) -> int:
    """Store ``findings`` as one analysis run, as ``analyze`` would; returns the run id."""
    rules = sorted({finding.rule for finding in findings})
    return store_run(workspace, rules, findings, started="2024-06-03T09:30:00+00:00").run_id


def finding(
    rule: str, severity: Severity, kind: str, subject_id: str, name: str, title: str, **evidence: Any
) -> Finding:
    """A finding with a generic explanation."""
    return Finding(
        rule=rule,
        severity=severity,
        subject=Subject(kind, subject_id, name),  # type: ignore[arg-type]
        title=title,
        explanation=f"{title}. The evidence below lists the raw values the rule saw.",
        evidence=evidence,
    )


def build_case(workspace: Workspace) -> None:
    """A studio's chain four tiers deep, ending in a DPRK art unit, with findings along the way."""
    with workspace.change("test") as change:
        change.session.add_all(
            [
                vendor(
                    "hanbit",
                    "Hanbit Motion Co., Ltd.",
                    "kr",
                    "Seoul",
                    aliases=["한빛모션"],
                    productions=[MOONLIT, KITES],
                    registration_numbers=["110111-4567890"],
                    website="https://hanbit-motion.example",
                    phones=["+82 2 555 0100"],
                    email_domains=["hanbit-motion.example"],
                    address="12 Teheran-ro, Gangnam-gu",
                ),
                vendor("maple", "Maple Frame Studios Inc.", "ca", "Vancouver", productions=[KITES]),
                vendor("lumen", "Lumen Ink Pte. Ltd.", "sg", "Singapore", productions=[MOONLIT]),
                vendor("busan", "Busan Cel Works", "kr", "Busan", productions=[MOONLIT]),
                vendor(
                    "jinxing",
                    "Shenyang Jinxing Animation Co.",
                    "cn",
                    "Shenyang",
                    aliases=["沈阳金星动画有限公司"],
                    bank_country="hk",
                    productions=[MOONLIT],
                ),
                vendor("pinetree", "Dandong Pine Tree Trading Co.", "cn", "Dandong", aliases=["丹东松树贸易"]),
                vendor("mansudae", "Mansudae Art Export Unit 8", "kp", "Pyongyang", aliases=["만수대창작사"]),
                vendor("bluebird", "Yanji Bluebird Design", "cn", "Yanji"),
                vendor("geumbit", "금빛동화 애니메이션", "kr", "Gwangju", aliases=["Geumbit Fairytale Animation"]),
                Person(id="kim", name="Kim Chol Su", nationality="kp", birth_date="1979-04-15", role="director"),
                Person(id="zhang", name="Zhang Wei", nationality="cn", role="owner", aliases=["张伟"]),
                Person(id="park", name="Park Ji-hoon", nationality="kr", role="CEO"),
            ]
        )
        change.session.flush()
        change.session.add_all(
            [
                sub("hanbit", "jinxing"),
                sub("hanbit", "busan"),
                sub("busan", "geumbit"),
                sub("jinxing", "pinetree", "observed"),
                sub("pinetree", "mansudae", "observed"),
                sub("lumen", "bluebird", "observed"),
                control("owns", "park", "hanbit"),
                control("owns", "zhang", "jinxing"),
                control("directs", "kim", "pinetree", "observed"),
                Link(
                    kind="pays",
                    source_kind="vendor",
                    source_id="hanbit",
                    target_kind="vendor",
                    target_id="jinxing",
                    status="declared",
                ),
                Link(
                    kind="pays",
                    source_kind="vendor",
                    source_id="jinxing",
                    target_kind="company",
                    target_id="liaoning-trade",
                    status="observed",
                    evidence="invoice INV-2024-031",
                ),
                Account(id=1, portal="assets.studio.example", username="jinxing.ops", vendor_id="jinxing"),
                Account(
                    id=2, portal="assets.studio.example", username="pinetree01", vendor_id="pinetree", person_id="kim"
                ),
            ]
        )
    add_findings(
        workspace,
        [
            finding(
                "SANCTIONS.MATCH",
                Severity.CRITICAL,
                "vendor",
                "mansudae",
                "Mansudae Art Export Unit 8",
                "Matches OFAC SDN entry MANSUDAE ART STUDIO",
                list="OFAC SDN",
                target_id="OFAC-20522",
                matched_name="MANSUDAE ART STUDIO",
                score=0.93,
                programs=["DPRK3", "DPRK4"],
            ),
            finding(
                "SANCTIONS.MATCH",
                Severity.HIGH,
                "person",
                "kim",
                "Kim Chol Su",
                "Matches UN 1718 list entry KIM CHOL SU",
                list="UN 1718",
                score=0.88,
                identifiers={"passport": "745320418", "birth_date": "1979-04-15"},
            ),
            finding(
                "NET.DPRK",
                Severity.HIGH,
                "account",
                "2",
                "pinetree01",
                "Portal logins from DPRK address space",
                addresses=["175.45.176.12", "175.45.178.3"],
                asn="AS131279 Ryugyong-dong",
                log={"file": "portal-2024-05.log", "lines": [1042, 1097]},
            ),
            finding(
                "CHAIN.UNDECLARED_SUBCONTRACTOR",
                Severity.HIGH,
                "vendor",
                "pinetree",
                "Dandong Pine Tree Trading Co.",
                "Works on Moonlit Harbor without being declared",
                client="Shenyang Jinxing Animation Co.",
                production=MOONLIT,
                found={"file": "trove/ep07/layout_012.png", "watermark": "D-118"},
            ),
            finding(
                "VENDOR.PAYMENT_RED_FLAG",
                Severity.MEDIUM,
                "vendor",
                "jinxing",
                "Shenyang Jinxing Animation Co.",
                "Paid through a bank in Hong Kong, not where it is based",
                field="bank_country",
                value="hk",
                record={"table": "vendors", "id": "jinxing"},
            ),
            finding(
                "NET.HIGH_RISK_REGION",
                Severity.MEDIUM,
                "vendor",
                "bluebird",
                "Yanji Bluebird Design",
                "Deliveries fetched from Yanji, Jilin",
                city="Yanji",
                events=34,
                vpn=False,
            ),
            finding(
                "VENDOR.IDENTITY_RED_FLAG",
                Severity.LOW,
                "vendor",
                "busan",
                "Busan Cel Works",
                "Contact phone is Chinese, vendor is Korean",
                field="phones",
                value="+86 415 555 0199",
            ),
            finding(
                "DOC.DPRK_KOREAN",
                Severity.INFO,
                "trove_item",
                "t-7",
                "ep07/notes.docx",
                "Instruction notes use North Korean spelling",
                markers=["로동", "리용"],
                score=0.71,
            ),
        ],
    )
