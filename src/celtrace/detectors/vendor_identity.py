"""VENDOR.IDENTITY_RED_FLAG: contact details and languages that disagree with where a vendor says it is."""

from __future__ import annotations

import re
from collections.abc import Iterator

from celtrace.config import Settings
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.red_flags import RedFlags, load
from celtrace.detectors.vendor_record import country_name, vendor_evidence
from celtrace.detectors.view import StoreView
from celtrace.workspace.schema import Vendor

RULE = "VENDOR.IDENTITY_RED_FLAG"


def identity_red_flags(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """A vendor's contact details or languages do not fit the country it declares.

    The DPRK IT-worker advisories (May 2022, October 2023) list inconsistent nationality, claimed
    location and contact details, and Korean as the preferred language of someone who claims a
    non-Korean-speaking home. Checked here: phone numbers (by their country calling code), e-mail
    and web domains (country-code top-level domains and national webmail services), places named in
    the address, and declared languages. Anything pointing to North Korea itself is critical.
    """
    flags = load()
    for vendor in view.chain.vendors.values():
        subject = Subject("vendor", vendor.id, vendor.name)
        if vendor.country in flags.dprk_countries:
            yield _finding(
                vendor,
                subject,
                Severity.CRITICAL,
                "Declares an address in North Korea",
                f"{vendor.name} declares North Korea as its country: work for or payment to it breaches US "
                "and UN sanctions.",
                vendor_evidence(vendor, "country", vendor.country),
                "country",
            )
        yield from _phones(vendor, subject, flags)
        yield from _domains(vendor, subject, flags)
        yield from _places(vendor, subject, flags)
        yield from _languages(vendor, subject, flags)


def _finding(
    vendor: Vendor,
    subject: Subject,
    severity: Severity,
    title: str,
    text: str,
    evidence: dict[str, object],
    key: str,
    source: str = "advisory-2022",
) -> Finding:
    source = load().sources[source]
    return Finding(RULE, severity, subject, title, f"{text} Source: {source}.", evidence, key)


def _severity_for(country: str, flags: RedFlags) -> Severity:
    return Severity.CRITICAL if country in flags.dprk_countries else Severity.MEDIUM


def _phones(vendor: Vendor, subject: Subject, flags: RedFlags) -> Iterator[Finding]:
    import phonenumbers

    for raw in vendor.phones:
        try:
            number = phonenumbers.parse(raw, (vendor.country or "").upper() or None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            yield _finding(
                vendor,
                subject,
                Severity.LOW,
                f"Phone number {raw} is not a valid number",
                f"{vendor.name} gives {raw!r} as a phone number, which is not a valid number in any country "
                "numbering plan: contact details that cannot be checked are among the advisory's red flags.",
                vendor_evidence(vendor, "phones", raw),
                f"phone-invalid:{raw}",
            )
            continue
        region = (phonenumbers.region_code_for_number(number) or "").lower()
        if region and region != vendor.country:
            international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            yield _finding(
                vendor,
                subject,
                _severity_for(region, flags),
                f"Phone number in {country_name(region)}, not {country_name(vendor.country)}",
                f"{vendor.name} declares {country_name(vendor.country)} but its phone number {international} "
                f"belongs to {country_name(region)}'s numbering plan.",
                vendor_evidence(vendor, "phones", raw, number_country=region, declared_country=vendor.country),
                f"phone:{phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)}",
            )


def _domains(vendor: Vendor, subject: Subject, flags: RedFlags) -> Iterator[Finding]:
    from urllib.parse import urlsplit

    named: list[tuple[str, str]] = [("email_domains", domain) for domain in vendor.email_domains]
    if vendor.website:
        host = urlsplit(vendor.website if "//" in vendor.website else f"//{vendor.website}").hostname
        if host:
            named.append(("website", host.lower().removeprefix("www.")))
    for field, domain in named:
        webmail_country = next((c for d, c in flags.webmail.items() if domain == d or domain.endswith("." + d)), None)
        tld = domain.rsplit(".", 1)[-1]
        tld_country = None if tld in flags.generic_cctlds or len(tld) != 2 else ("gb" if tld == "uk" else tld)
        if webmail_country and webmail_country != vendor.country:
            yield _finding(
                vendor,
                subject,
                _severity_for(webmail_country, flags),
                f"Uses {domain}, a webmail service of {country_name(webmail_country)}",
                f"{vendor.name} declares {country_name(vendor.country)} but its contact address is on {domain}, "
                f"a webmail service used mostly in {country_name(webmail_country)}.",
                vendor_evidence(vendor, field, domain, domain_country=webmail_country, declared_country=vendor.country),
                f"domain:{domain}",
            )
        elif tld_country and vendor.country and tld_country != vendor.country:
            yield _finding(
                vendor,
                subject,
                Severity.CRITICAL if tld_country in flags.dprk_countries else Severity.LOW,
                f"Domain {domain} belongs to {country_name(tld_country)}",
                f"{vendor.name} declares {country_name(vendor.country)} but uses {domain}, under the country "
                f"domain of {country_name(tld_country)}.",
                vendor_evidence(vendor, field, domain, domain_country=tld_country, declared_country=vendor.country),
                f"domain:{domain}",
            )


def _places(vendor: Vendor, subject: Subject, flags: RedFlags) -> Iterator[Finding]:
    """Countries named in the city or address: by comma-separated part, and by known front-company places."""
    from followthemoney.types import registry

    if not vendor.country:
        return
    found: dict[str, str] = {}
    for field in ("city", "address"):
        text = getattr(vendor, field) or ""
        for part in re.split(r"[,\n;]", text):
            code = registry.country.clean_text(part.strip()) if part.strip() else None
            if code:
                found.setdefault(code, part.strip())
        for match in flags.place_pattern.finditer(text):
            found.setdefault(flags.places[match.group(0).lower()]["country"], match.group(0))
    if not found or vendor.country in found:
        return
    for code, place in sorted(found.items()):
        yield _finding(
            vendor,
            subject,
            _severity_for(code, flags),
            f"Address names {place} ({country_name(code)}), not {country_name(vendor.country)}",
            f"{vendor.name} declares {country_name(vendor.country)} but its city or address names {place}, "
            f"in {country_name(code)}.",
            vendor_evidence(
                vendor,
                "address",
                vendor.address or vendor.city,
                place=place,
                place_country=code,
                declared_country=vendor.country,
            ),
            f"place:{code}",
        )


def _languages(vendor: Vendor, subject: Subject, flags: RedFlags) -> Iterator[Finding]:
    if "ko" not in vendor.languages or not vendor.country or vendor.country in flags.korean_speaking:
        return
    yield _finding(
        vendor,
        subject,
        Severity.MEDIUM,
        f"Declares Korean as a working language while based in {country_name(vendor.country)}",
        f"{vendor.name} lists Korean among its working languages but declares {country_name(vendor.country)}, "
        "where Korean is not a national language: the October 2023 guidance names Korean as preferred language "
        "with a claimed non-Korean-speaking home as a red flag.",
        vendor_evidence(vendor, "languages", vendor.languages, declared_country=vendor.country),
        "languages:ko",
        source="advisory-2023",
    )
