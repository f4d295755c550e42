"""The chain's account behind a user name in a log, and the subject a NET finding about it names.

A log says ``brightlotus.cn01``; the chain says which portal that account is on and which vendor it belongs
to. Names are compared without case (portals fold them, logs keep what the user typed). An account recorded
for the log's own source wins; then one recorded without a portal; then one on any portal.
"""

from __future__ import annotations

from celtrace.detectors.finding import Subject
from celtrace.detectors.view import StoreView
from celtrace.workspace.schema import Account


def chain_account(view: StoreView, source: str, username: str | None) -> Account | None:
    """The chain's account for a log's user name on ``source``, or None when the chain has none."""
    if not username:
        return None
    fitting = view.shared("accounts by name", lambda: _by_name(view.chain.accounts)).get(username.casefold(), [])
    exact = [account for account in fitting if account.portal == source]
    best = exact or [account for account in fitting if not account.portal] or fitting
    return best[0] if best else None


def vendor_of(view: StoreView, source: str, username: str | None) -> str | None:
    """The id of the vendor whose account the log's user name is, if the chain says so."""
    account = chain_account(view, source, username)
    return None if account is None else account.vendor_id


def account_subject(view: StoreView, source: str, username: str) -> Subject:
    """The finding subject for a log account: the chain's account when known, else the name on its source."""
    account = chain_account(view, source, username)
    if account is not None:
        return Subject("account", str(account.id), f"{account.username} ({account.portal or source})")
    return Subject("account", f"{source}:{username}", f"{username} ({source})")


def _by_name(accounts: list[Account]) -> dict[str, list[Account]]:
    # Built once per run: a log can hold thousands of accounts, each looked up once per finding.
    index: dict[str, list[Account]] = {}
    for account in accounts:
        index.setdefault(account.username.casefold(), []).append(account)
    return index
