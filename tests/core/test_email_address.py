# ruff: noqa: RUF001  (Greek, Cyrillic and CJK letters are what these tests are about)
"""What an email address is (RFC 5321/5322 with RFC 6531/6532): one rule, one stored form."""

from __future__ import annotations

import idna
import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.core import email_address
from frontline.core.errors import InvalidInput


@pytest.mark.parametrize(("typed", "stored"), [
    ("inês11@umbrella.example", "inês11@umbrella.example"),
    ("  Jürgen.Müller@BÜCHER.example ", "jürgen.müller@bücher.example"),
    ("jürgen.müller@xn--bcher-kva.example", "jürgen.müller@bücher.example"),
    ("Светлана@ПОЧТА.РФ", "светлана@почта.рф"),
    ("светлана@xn--80a1acny.xn--p1ai", "светлана@почта.рф"),
    ("Γιώργος.Π@παράδειγμα.example", "γιώργος.π@παράδειγμα.example"),
    ("小明.王@例子.example", "小明.王@例子.example"),
    ("sato@ｅｘａｍｐｌｅ.jp", "sato@example.jp"),  # full-width letters map (UTS #46)
    ("x@straße.example", "x@straße.example"),  # IDNA 2008: not strasse.example
    ("ine\u0301s@umbrella.example", "inés@umbrella.example"),  # NFC
    ("Bob.O'Neil+tag@Standard.Example", "bob.o'neil+tag@standard.example"),
    ("x@ab--cd.example", "x@ab--cd.example"),  # ASCII names stay as Django read them
    ("x@[192.0.2.1]", "x@[192.0.2.1]"),
])
def test_an_address_is_stored_in_one_form(typed, stored):
    assert email_address.normalize(typed) == stored
    assert email_address.is_valid(typed)


@pytest.mark.parametrize("typed", [
    "", "   ", "plainaddress", "@umbrella.example", "inês@", "inês 11@umbrella.example",
    "in..ês@umbrella.example", ".inês@umbrella.example", "inês@umbrella", "inês@-bad.example",
    "a\u200bb@umbrella.example", "a\u2028b@umbrella.example", "ab\x00@umbrella.example",
    "inês@xn--zz.example", "inês@bü_cher.example", "ü" * 33 + "@umbrella.example",
    "x@" + "a" * 64 + ".example", "inês@umbrella.example.", "a@b@umbrella.example",
])
def test_what_is_no_address_is_refused_naming_the_field(typed):
    with pytest.raises(InvalidInput) as refused:
        email_address.normalize(typed, field="requester_email")
    assert refused.value.field == "requester_email"
    assert "is not a valid email address" in refused.value.message
    assert email_address.canonical(typed) is None


def test_lookup_finds_both_spellings_of_a_unicode_domain():
    assert email_address.lookup_forms("Jürgen.Müller@xn--BCHER-kva.example") == [
        "jürgen.müller@bücher.example", "jürgen.müller@xn--bcher-kva.example"]
    assert email_address.lookup_forms("bob@standard.example") == ["bob@standard.example"]
    assert email_address.domain_lookup_forms("почта.рф") == ["почта.рф", "xn--80a1acny.xn--p1ai"]


def test_only_a_utf8_local_part_needs_smtputf8():
    assert email_address.needs_smtputf8("inês11@umbrella.example")
    assert email_address.needs_smtputf8("小明@example.com")
    assert not email_address.needs_smtputf8("hana@例子.example")
    assert email_address.envelope_form("hana@例子.example") == "hana@xn--fsqu00a.example"
    assert email_address.envelope_form("inês@bücher.example") == "inês@xn--bcher-kva.example"


def test_typed_a_labels_are_read_as_the_stored_unicode():
    assert email_address.readable("XN--BCHER-KVA.example") == "bücher.example"
    assert email_address.readable("müller@xn--bcher") == "müller@xn--bcher"  # half typed


def test_an_organization_domain_is_kept_in_unicode_form():
    assert email_address.normalize_domain("@XN--80A1ACNY.xn--p1ai") == "почта.рф"
    for bad in ("localhost", "bü cher.example", "a@b.example", "", "[192.0.2.1]"):
        with pytest.raises(InvalidInput):
            email_address.normalize_domain(bad)


_LETTERS = st.characters(categories=("Ll", "Lu", "Lo", "Nd"))
_LOCAL = st.text(_LETTERS, min_size=1, max_size=12)
_LABEL = st.text(st.characters(categories=("Ll", "Lo")), min_size=1, max_size=10)


@given(_LOCAL, _LABEL, st.sampled_from(["example", "test", "рф", "中国"]))
def test_both_spellings_of_any_address_are_the_same_address(local, label, tld):
    stored = email_address.canonical(f"{local}@{label}.{tld}")
    if stored is None:
        return  # not every string of letters is a valid IDNA label
    assert email_address.canonical(stored) == stored  # the stored form is stable
    local_part, _, domain = stored.rpartition("@")
    a_labels = f"{local_part}@{idna.encode(domain).decode().upper()}"
    assert email_address.canonical(a_labels) == stored
    assert email_address.lookup_forms(a_labels) == email_address.lookup_forms(stored)
    assert stored in email_address.lookup_forms(a_labels)


def test_a_label_whose_valid_letters_are_capitals_keeps_them():
    # Found by the property test above: Cherokee's small letters map to its capitals
    # in IDNA, and lower-casing the decoded label made a spelling IDNA refuses.
    stored = email_address.canonical("kay@ᏸ.example")
    assert stored == "kay@Ᏸ.example"
    assert email_address.canonical("kay@XN--GCE.example") == stored
    assert email_address.canonical(stored) == stored
