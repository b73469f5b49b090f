"""What a valid email address is, and the one form we keep it in.

Customers write from `inês11@umbrella.example`, `müller@bücher.example` or
`почта@пример.example`: RFC 6531/6532 (SMTPUTF8, "EAI") allow UTF-8 in the local
part and IDNA domains (RFC 5890) in either form, the Unicode U-labels
(`bücher.example`) or the ASCII A-labels (`xn--bcher-kva.example`). Django's
`validate_email` accepts ASCII local parts only, so such a mail used to fail
processing: no ticket, no acknowledgement, and the customer's replies opened new
tickets. This module is the one owner of the rule, below every app that reads an
address (customers, mail, portal, desk, API), so it lives in core.

The stored (canonical) form: Unicode NFC (RFC 6532 §3.1 recommends it), the local
part and the domain lower-cased (addresses were matched case-insensitively before;
RFC 5321 leaves a local part's case to the receiving host, and in practice no host
tells `Inês` from `inês`), the domain in U-labels. `lookup_forms` also gives the
A-label spelling, so rows stored before this rule (Django accepted `xn--` domains)
are still found by either spelling.

Domains are mapped with IDNA 2008 and UTS #46 (the `idna` package), as browsers
and mail hosts do today, not with Python's IDNA 2003 codec, which turns
`straße.example` into another domain, `strasse.example`.
"""

from __future__ import annotations

import re
import unicodedata

import idna
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from frontline.core.errors import InvalidInput

MAX_ADDRESS = 254  # RFC 5321 §4.5.3.1.3's path of 256 octets, less the angle brackets
MAX_LOCAL_OCTETS = 64  # RFC 5321 §4.5.3.1.1; RFC 6531 counts UTF-8 octets
MAX_DOMAIN = 253

_DJANGO = EmailValidator()
# RFC 6531 §3.3 adds UTF8-non-ascii to atext: any character above U+007F, except
# what could break a line or hide in one (controls, separators, unassigned).
_ATEXT = r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z\u0080-\U0010ffff]"
_DOT_ATOM = re.compile(rf"^{_ATEXT}+(?:\.{_ATEXT}+)*\Z")
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}


def _local_ok(local: str) -> bool:
    if not local or len(local.encode("utf-8")) > MAX_LOCAL_OCTETS:
        return False
    if local.isascii():
        # Quoted local parts ("john doe"@example.com) stay ASCII-only, as in RFC 6531.
        return bool(_DJANGO.user_regex.match(local))
    if not _DOT_ATOM.match(local):
        return False
    return not any(unicodedata.category(c) in _FORBIDDEN_CATEGORIES
                   for c in local if not c.isascii())


def _domain_forms(domain: str) -> tuple[str, str] | None:
    """(U-label form, A-label form) of a domain, lower-case; None when it is no
    domain a mail can go to. An address literal ([192.0.2.1]) is its own form."""
    domain = domain.strip()
    if not domain:
        return None
    if domain.startswith("["):
        return (domain, domain) if _DJANGO.validate_domain_part(domain) else None
    try:
        if domain.isascii():
            # An ASCII name is checked as Django always did (IDNA 2008 would refuse
            # some names mail hosts accept, such as `ab--cd.example`); only its
            # A-labels are read as IDNA.
            ascii_form = domain.lower()
            # idna.decode's U-label is the valid spelling already: lower() would
            # break some (Cherokee's valid letters are its capitals: U+13F0).
            unicode_form = (idna.decode(ascii_form)
                            if any(part.startswith("xn--") for part in ascii_form.split("."))
                            else ascii_form)
        else:
            ascii_form = idna.encode(domain, uts46=True).decode("ascii").lower()
            unicode_form = idna.decode(ascii_form)
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    if len(ascii_form) > MAX_DOMAIN:
        return None
    if ascii_form != "localhost" and not _DJANGO.domain_regex.match(ascii_form):
        return None
    return unicodedata.normalize("NFC", unicode_form), ascii_form


def _parts(address: str) -> tuple[str, str, str] | None:
    """(local part, U-label domain, A-label domain), or None when not valid."""
    address = unicodedata.normalize("NFC", (address or "").strip())
    local, at, domain = address.rpartition("@")
    if not at or not _local_ok(local):
        return None
    forms = _domain_forms(domain)
    if forms is None:
        return None
    local = local.lower()
    if len(local) + 1 + len(forms[0]) > MAX_ADDRESS or \
            len(local.encode("utf-8")) + 1 + len(forms[1]) > MAX_ADDRESS:
        return None
    return local, forms[0], forms[1]


def normalize(address: str, *, field: str = "email") -> str:
    """The canonical form of `address`, or InvalidInput naming `field`."""
    parts = _parts(address)
    if parts is None:
        shown = " ".join((address or "").split())[:MAX_ADDRESS]
        raise InvalidInput(f"'{shown}' is not a valid email address.", field=field)
    local, domain, _ascii_domain = parts
    return f"{local}@{domain}"


def canonical(address: str) -> str | None:
    """The canonical form of `address`, or None when it is not a valid address."""
    parts = _parts(address)
    return f"{parts[0]}@{parts[1]}" if parts is not None else None


def comparable(address: str) -> str:
    """One spelling per address, for comparing and keying (`Inês@Bücher.example` and
    `inês@xn--bcher-kva.example` give the same); an invalid one lower-cased as typed."""
    return canonical(address) or (address or "").strip().lower()


def is_valid(address: str) -> bool:
    return _parts(address) is not None


def validate(value: str) -> None:
    """A model field validator: Django's ValidationError when `value` is not an address."""
    if not is_valid(value):
        raise ValidationError("Enter a valid email address.", code="invalid")


def lookup_forms(address: str) -> list[str]:
    """Every spelling a stored row of `address` may have: the canonical form and
    the same with an A-label domain. For `address__in=` filters. An invalid address
    is looked up as typed (lower-cased): it finds what was stored so, if anything."""
    parts = _parts(address)
    if parts is None:
        typed = (address or "").strip().lower()
        return [typed] if typed else []
    local, domain, ascii_domain = parts
    return list(dict.fromkeys([f"{local}@{domain}", f"{local}@{ascii_domain}"]))


def needs_smtputf8(address: str) -> bool:
    """Whether mail to or from `address` needs the SMTPUTF8 extension (RFC 6531):
    a non-ASCII local part has no ASCII spelling. A Unicode domain does not need
    it; its A-labels go out instead."""
    return not address.rpartition("@")[0].isascii()


def envelope_form(address: str) -> str:
    """`address` as an SMTP envelope address: the domain in A-labels (every server
    reads them), the local part as it is (UTF-8 only under SMTPUTF8)."""
    parts = _parts(address)
    if parts is None:
        return address
    return f"{parts[0]}@{parts[2]}"


def normalize_domain(domain: str, *, field: str = "domains") -> str:
    """An organization's mail domain in the canonical (U-label, lower-case) form."""
    text = (domain or "").strip().lstrip("@")
    forms = _domain_forms(text) if "." in text and not text.startswith("[") else None
    if forms is None:
        raise InvalidInput(f"'{' '.join(text.split())[:MAX_DOMAIN]}' is not an email domain.",
                           field=field)
    return forms[0]


def domain_lookup_forms(domain: str) -> list[str]:
    """Every spelling a stored domain may have (U-labels and A-labels)."""
    forms = _domain_forms((domain or "").strip().lstrip("@"))
    if forms is None:
        typed = (domain or "").strip().lower()
        return [typed] if typed else []
    return list(dict.fromkeys(forms))


def domain_of(address: str) -> str:
    """The canonical domain of `address` (as typed, lower-cased, when it is invalid)."""
    parts = _parts(address)
    return parts[1] if parts is not None else (address or "").rpartition("@")[2].strip().lower()


def readable(text: str) -> str:
    """`text` (an address, a domain or part of one, as a person typed it) with any
    A-label turned into Unicode, for matching against stored canonical forms."""
    def label(match: re.Match[str]) -> str:
        try:
            return idna.decode(match.group(0))
        except (idna.IDNAError, UnicodeError, ValueError):
            return match.group(0)

    return re.sub(r"xn--[a-z0-9-]+", label, (text or "").strip().lower())
