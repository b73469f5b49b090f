"""No byte string makes the parser raise (property tests)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontline.mail.parse import CONTRACT_KEYS, ParsedMail, parse_message
from tests.mail.conftest import corpus_files

CORPUS_BYTES = [path.read_bytes() for path in corpus_files()]


def assert_contract(parsed: ParsedMail) -> None:
    assert isinstance(parsed, ParsedMail)
    data = parsed.to_json_dict()
    assert set(data) - {"error"} == set(CONTRACT_KEYS)
    assert tuple(key for key in data if key != "error") == CONTRACT_KEYS
    # Strict UTF-8: no lone surrogates can reach the database or the JSON line.
    json.dumps(data, ensure_ascii=False).encode("utf-8")
    assert "\x00" not in json.dumps(data, ensure_ascii=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_raise(raw):
    assert_contract(parse_message(raw))


@st.composite
def mutated_corpus_mail(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(CORPUS_BYTES)))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        position = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[position] = draw(st.integers(min_value=0, max_value=255))
        elif action == "cut":
            del data[position:]
        elif action == "insert":
            data[position:position] = draw(st.sampled_from([
                b"\x00", b"\r", b"\n\n", b"=?utf-8?b?", b"?=", b"--", b"boundary=",
                b"Content-Type: multipart/mixed; boundary=x\n", b"charset=gb2312",
                b"Content-Transfer-Encoding: base64\n", b"\xff\xfe", b"begin 644 x\n",
                b"filename*0*=utf-8''%E2%82", b"Content-Type: message/rfc822\n\n",
            ]))
        elif action == "delete" and data:
            del data[position:position + draw(st.integers(min_value=1, max_value=64))]
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_corpus_mail())
def test_mutated_corpus_mail_never_raises(raw):
    assert_contract(parse_message(raw))


def test_deeply_nested_multiparts_do_not_raise():
    depth = 200
    raw = b"".join(
        f"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n".encode() for i in range(depth)
    ) + b"Content-Type: text/plain\n\ndeep\n"
    assert_contract(parse_message(raw))


def test_a_str_or_bytearray_is_accepted():
    assert_contract(parse_message(bytearray(b"Subject: x\n\nbody")))
    assert parse_message("Subject: é\n\nbody").subject == "é"  # type: ignore[arg-type]
