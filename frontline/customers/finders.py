"""Finding customers' records from what a person typed: one finder per concept
(plan, product, version, organization, contact), used by every app and face.

Each takes the record itself, its id or its name (a slug too where it has one),
returns None for an empty value, and refuses a value that names nothing with
InvalidInput naming the caller's `field`, so a form shows it next to that field
and the API answers 422. A face that loads a record named in its URL turns that
refusal into a 404 (frontline.api: "There is no plan 'x'.").
"""

from __future__ import annotations

import re

from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.functions import Replace

from frontline.core import email_address
from frontline.core.errors import InvalidInput
from frontline.core.inputs import blank
from frontline.core.lookup import find_row
from frontline.customers.models import (
    Contact,
    ContactEmail,
    Organization,
    Plan,
    Product,
    Version,
)


def find_plan(value: Plan | int | str | None, *, field: str = "plan") -> Plan | None:
    """The plan with this slug, id or name (any case); None when empty."""
    plan = find_row(Plan.objects.all(), value, exact=("slug",), iexact=("slug", "name"))
    if plan is None and not blank(value):
        names = ", ".join(Plan.objects.values_list("slug", flat=True)) or "none defined"
        raise InvalidInput(f"No plan '{value}' (plans: {names}).", field=field)
    return plan


def find_product(value: Product | int | str | None, *,
                 field: str = "product") -> Product | None:
    """The product with this slug, id or name (any case); None when empty."""
    product = find_row(Product.objects.all(), value, exact=("slug",), iexact=("slug", "name"))
    if product is None and not blank(value):
        raise InvalidInput(f"No product '{value}'.", field=field)
    return product


def find_version(product: Product | None, value: Version | int | str | None, *,
                 field: str = "version") -> Version | None:
    """The version of `product` with this name (exactly: "4.2" is not "4.2.0") or id;
    None when empty. A version without a product, or of another product, is refused."""
    if blank(value):
        return None
    if product is None:
        raise InvalidInput("A version needs a product.", field=field)
    version = find_row(Version.objects.filter(product=product), value, exact=("name",))
    if version is None or version.product_id != product.pk:
        raise InvalidInput(f"{product.name} has no version '{value}'.", field=field)
    return version


def find_organization(value: Organization | int | str | None, *, field: str = "organization",
                      rows: QuerySet[Organization] | None = None) -> Organization | None:
    """The organization with this id or name (any case); None when empty. Names are
    not unique: a name that two organizations share is refused, asking for the id.
    `rows` is where to look, e.g. with what a page shows already loaded."""
    rows = Organization.objects.all() if rows is None else rows
    found = find_row(rows, value)
    if found is None and isinstance(value, str) and not blank(value):
        matches = list(rows.filter(name__iexact=value.strip())[:2])
        if len(matches) > 1:
            raise InvalidInput(f"Several organizations are called '{value.strip()}'; "
                               "give its id.", field=field)
        found = matches[0] if matches else None
    if found is None and not blank(value):
        raise InvalidInput(f"No organization '{value}'.", field=field)
    return found


def find_contact(value: Contact | int | str | None, *,
                 field: str = "contact") -> Contact | None:
    """The contact with this id (or the contact itself); None when empty."""
    contact = find_row(Contact.objects.select_related("organization__plan"), value)
    if contact is None and not blank(value):
        raise InvalidInput(f"No contact '{value}'.", field=field)
    return contact


# -- who is calling: a phone number, an address or a name, as an agent types it ------------

MAX_LOOKUP = 200
# A phone number is compared on its last digits: "+49 30 1234-567", "0049 30 1234567"
# and "030 1234567" are one number, written with the country code, the international
# prefix or the trunk prefix "0". Nine digits hold a subscriber number with its area
# code in most numbering plans (ITU-T E.164 allows 15 digits in all, country code
# included), so a longer tail would miss the national form and a shorter one would
# match other people's numbers.
PHONE_TAIL = 9
# Fewer digits than this match too many numbers to be worth showing.
MIN_PHONE_DIGITS = 5
# What people write between the digits of a number. A typed text of only these and
# digits is a number, searched for as one (not as a name or an address).
PHONE_MARKS = (" ", "-", "(", ")", ".", "/", "+", "\u00a0")
_PHONE_TEXT = re.compile(r"^[\d\s()./+\-\u00a0]+$")
_NOT_DIGIT = re.compile(r"\D", re.ASCII)


def phone_digits(text: str) -> str:
    """The ASCII digits of a phone number as written: "+1 (555) 010-2030" -> "15550102030"."""
    return _NOT_DIGIT.sub("", text or "")


def looks_like_phone(text: str) -> bool:
    """Whether `text` is (the start of) a phone number rather than a name or an address."""
    text = (text or "").strip()
    return bool(_PHONE_TEXT.match(text)) and len(phone_digits(text)) >= MIN_PHONE_DIGITS


def _stored_digits() -> Replace:
    """Contact.phone with the usual separators taken out, in SQL. The column holds
    the number as it was written; without a column of digits (a migration and a
    backfill), removing the marks people use is what both databases can do alike."""
    expression: F | Replace = F("phone")
    for mark in PHONE_MARKS:
        expression = Replace(expression, Value(mark), Value(""))
    assert isinstance(expression, Replace)
    return expression


class _Like(Func):
    """`a LIKE b`, SQL's own (Django's lookups escape the wildcards this needs)."""

    arg_joiner = " LIKE "
    template = "%(expressions)s"
    output_field = BooleanField()


def _digits_in_order(digits: str) -> _Like:
    """The stored number holds these digits in this order, whatever is between them:
    LIKE '%3%0%1%...'. Every number the tail or the digits typed so far match passes,
    and it is cheap, so the separators are stripped (_stored_digits) only from the few
    that pass: 25 ms instead of 300 ms over 100,000 contacts on SQLite."""
    return _Like(F("phone"), Value("%" + "%".join(digits) + "%"))


def _phone_match(digits: str) -> Q:
    """A complete number (PHONE_TAIL digits or more) matches a stored number that
    ends the same; while it is typed, the digits so far (without the leading zeros
    of a trunk or international prefix) match wherever they occur."""
    partial = digits.lstrip("0")
    match = Q(phone_digits__contains=partial) if len(partial) >= MIN_PHONE_DIGITS else Q()
    if len(digits) >= PHONE_TAIL:
        match |= Q(phone_digits__endswith=digits[-PHONE_TAIL:])
    return match


def _spellings(word: str) -> set[str]:
    """`word` as names are usually written. SQLite's LIKE ignores case for ASCII
    letters only, so "müller" would not find "Müller", nor "σοφία" "Σοφία":
    asking for the capitalised and lower-case forms too finds them on both
    databases (PostgreSQL's icontains ignores case for every letter anyway)."""
    return {word, word.lower(), word.capitalize(), word.upper()}


def _name_match(text: str) -> Q:
    """Every word of `text` in the name, in any order ("Okafor Dana" finds "Dana Okafor")."""
    match = Q()
    for word in text.split():
        each = Q()
        for spelling in _spellings(word):
            each |= Q(name__icontains=spelling)
        match &= each
    return match


def _email_match(text: str) -> Q:
    # Addresses are stored lower-cased with Unicode domains (core.email_address):
    # a typed `xn--` domain is read in that form.
    address = email_address.readable(text)
    if "@" in address:
        rows = ContactEmail.objects.filter(address__startswith=address)
    else:
        rows = ContactEmail.objects.filter(address__contains=address)
    return Q(pk__in=rows.values("contact_id"))


def find_contacts(text: str, limit: int = 8) -> list[Contact]:
    """The contacts a caller may be, from what the agent typed: a phone number in
    any format, an email address (or its start), or a name (every word of it). At
    most `limit`, by name, each with its organization and plan and its addresses
    loaded (two queries, however many match). Fewer than two characters, or a
    number of fewer than MIN_PHONE_DIGITS digits, find no one."""
    text = " ".join((text or "").split())[:MAX_LOOKUP]
    if len(text) < 2 or limit < 1:
        return []
    rows = Contact.objects.all()
    if _PHONE_TEXT.match(text):
        digits = phone_digits(text)
        if len(digits.lstrip("0")) < MIN_PHONE_DIGITS:
            return []
        partial = digits.lstrip("0")
        rows = (rows.exclude(phone="").filter(_digits_in_order(partial[-PHONE_TAIL:]))
                .alias(phone_digits=_stored_digits()).filter(_phone_match(digits)))
    elif "@" in text:
        rows = rows.filter(_email_match(text))
    elif " " in text:
        rows = rows.filter(_name_match(text))
    else:
        rows = rows.filter(_name_match(text) | _email_match(text))
    return list(rows.select_related("organization__plan").prefetch_related("emails")
                .order_by("name", "pk")[:limit])
