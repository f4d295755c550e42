"""VENDOR.PAYMENT_RED_FLAG: payment routes and methods the DPRK IT-worker advisories name."""

from __future__ import annotations

from collections.abc import Iterator

from celtrace.config import Settings
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.red_flags import load
from celtrace.detectors.vendor_record import country_name, vendor_evidence
from celtrace.detectors.view import StoreView
from celtrace.workspace.schema import Vendor

RULE = "VENDOR.PAYMENT_RED_FLAG"


def payment_red_flags(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """A vendor asks to be paid in a way that DPRK IT workers use to hide who is paid.

    The May 2022 US advisory on DPRK IT workers lists payment to bank accounts in China, transfers
    through payment platforms and requests for cryptocurrency; the 2023 guidance adds repeated requests
    for prepayment; in the 2024 SEK Studio settlement, invoices asked for payment to third-party companies.
    Each finding names the field of the vendor record that shows the flag.
    """
    flags = load()
    for vendor in view.chain.vendors.values():
        subject = Subject("vendor", vendor.id, vendor.name)
        yield from _bank_country(vendor, subject)
        yield from _payee(vendor, subject)
        for method in vendor.payment_methods:
            for entry in flags.payment_methods:
                if entry.pattern.search(method):
                    yield Finding(
                        rule=RULE,
                        severity=entry.flag.severity,
                        subject=subject,
                        title=f"Asks for payment by {entry.category} ({method})",
                        explanation=f"{vendor.name} lists {method!r} as a payment method: {entry.flag.why}. "
                        f"Source: {flags.cite(entry.flag)}.",
                        evidence=vendor_evidence(vendor, "payment_methods", method, category=entry.category),
                        key=f"method:{entry.category}:{method.casefold()}",
                    )


def _bank_country(vendor: Vendor, subject: Subject) -> Iterator[Finding]:
    flags = load()
    bank, home = vendor.bank_country, vendor.country
    if not bank or bank == home:
        return
    listed = flags.bank_countries.get(bank)
    severity = max(Severity.MEDIUM, listed.severity) if listed else Severity.MEDIUM
    home_text = f"is based in {country_name(home)}" if home else "declares no country"
    why = f" {listed.why[0].upper()}{listed.why[1:]}. Source: {flags.cite(listed)}." if listed else ""
    yield Finding(
        rule=RULE,
        severity=severity,
        subject=subject,
        title=f"Paid through a bank in {country_name(bank)}, not where it is based",
        explanation=f"{vendor.name} {home_text} but is paid into a bank in {country_name(bank)}: payment "
        f"to a country other than the vendor's own hides who receives the money.{why}",
        evidence=vendor_evidence(vendor, "bank_country", bank, declared_country=home),
        key=f"bank:{bank}",
    )


def _payee(vendor: Vendor, subject: Subject) -> Iterator[Finding]:
    flags = load()
    payee = (vendor.payee or "").strip()
    own_names = {" ".join(name.casefold().split()) for name in (vendor.name, *vendor.aliases)}
    if not payee or " ".join(payee.casefold().split()) in own_names:
        return
    flag = flags.third_party_payee
    yield Finding(
        rule=RULE,
        severity=flag.severity,
        subject=subject,
        title=f"Asks for payment to a third party, {payee}",
        explanation=f"{vendor.name} asks to be paid through {payee}, a company other than itself: {flag.why}. "
        f"Source: {flags.cite(flag)}.",
        evidence=vendor_evidence(vendor, "payee", payee),
        key=f"payee:{payee.casefold()}",
    )
