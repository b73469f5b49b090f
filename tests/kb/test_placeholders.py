"""The placeholder syntax of canned replies: what is accepted when a macro is saved,
and how the text reads when a value is known, missing, or looks like a placeholder."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.core.errors import InvalidInput
from frontline.kb import placeholders


def test_known_placeholders_are_listed_once_each_in_order() -> None:
    text = ("Hallo {{customer.first_name}}, zu {{ ticket.reference }}: {{ promise }}\n"
            "Version {{ fact.version }} · {{ customer.first_name }}")
    assert placeholders.check(text) == ["customer.first_name", "ticket.reference", "promise",
                                        "fact.version"]


@pytest.mark.parametrize("text, says", [
    ("Dear {{ customer.firstname }}", "Unknown placeholder {{ customer.firstname }}"),
    ("Hi {{ ticket.assignee.password }}", "Unknown placeholder"),
    ("See {{ fact.Version Number }}", "A fact key has letters"),
    ("Empty {{   }} here", "An empty placeholder"),
    ("Bonjour {{ customer.first_name }", "without its pair"),
    ("Closing }} alone", "without its pair"),
    ("{% if vip %}Thanks{% endif %} {{ settings.SECRET_KEY }}", "Unknown placeholder"),
])
def test_a_placeholder_that_is_not_one_is_refused_naming_the_body(text: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        placeholders.check(text)
    assert says in refused.value.message
    assert refused.value.field == "body"


def test_missing_values_are_written_visibly() -> None:
    text = "Hi {{ customer.first_name }}, {{ promise }} (DB: {{ fact.database_engine }})"
    filled = placeholders.fill(text, {"customer.first_name": "  ", "promise": None})
    assert filled == ("Hi [first name unknown], [promise unknown] "
                      "(DB: [database engine unknown])")


def test_a_value_that_looks_like_a_placeholder_is_written_as_it_is() -> None:
    filled = placeholders.fill("Hej {{ customer.first_name }}, {{ ticket.reference }}",
                               {"customer.first_name": "{{ ticket.reference }}",
                                "ticket.reference": "FL-77"})
    assert filled == "Hej {{ ticket.reference }}, FL-77"


names = st.sampled_from([p.name for p in placeholders.PLACEHOLDERS]
                        + ["fact.version", "fact.os", "fact.steps-to-reproduce"])
plain = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=40)


@given(st.lists(st.tuples(plain, names), max_size=8), plain,
       st.dictionaries(names, st.none() | st.text(max_size=30)))
def test_any_accepted_text_fills_in_without_failing(parts, tail, values) -> None:
    text = "".join(f"{words}{{{{ {name} }}}}" for words, name in parts) + tail
    assert placeholders.check(text) == list(dict.fromkeys(name for _, name in parts))
    filled = placeholders.fill(text, values)
    for words, _ in parts:
        assert words in filled
    for name in {name for _, name in parts}:
        value = values.get(name)
        expected = value.strip() if value and value.strip() else placeholders.missing_text(name)
        assert expected in filled
