"""Categories: admins add and change them; the standard one keeps its slug."""

from __future__ import annotations

import pytest

from frontline.core.errors import InvalidInput, NotAllowed
from frontline.intake import categories, questions
from frontline.tickets.taxonomy import STANDARD_CATEGORY, Category


def test_ada_adds_a_category_its_slug_from_the_name(ada):
    category = categories.create_category(ada, name="Import & export", description="Files in "
                                          "and out.")
    assert (category.slug, category.follow_up, category.published_version) == (
        "import-export", "send", None)


def test_the_list_starts_with_standard_and_shows_the_published_version(ada, installation):
    questions.write_draft(ada, installation, [{"key": "os", "text": "Which OS?", "why": "w"}])
    questions.publish(ada, installation)
    listed = list(categories.categories())
    assert listed[0].slug == STANDARD_CATEGORY
    assert {c.slug: c.published_version for c in listed} == {
        "standard": None, "installation": 1}


def test_the_standard_slug_cannot_change_but_its_follow_up_can(ada):
    standard = Category.objects.get(slug=STANDARD_CATEGORY)
    with pytest.raises(InvalidInput) as caught:
        categories.update_category(ada, standard, slug="every")
    assert caught.value.field == "slug"
    assert categories.update_category(ada, standard, follow_up="suggest").follow_up == "suggest"


@pytest.mark.parametrize(("changes", "field"), [
    ({"follow_up": "sometimes"}, "follow_up"),
    ({"name": "  "}, "name"),
    ({"name": "Every request"}, "name"),
    ({"slug": "standard"}, "slug"),
    ({"slug": "Two words"}, "slug"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_change_is_refused_naming_the_field(ada, installation, changes, field):
    with pytest.raises(InvalidInput) as caught:
        categories.update_category(ada, installation, **changes)
    assert caught.value.field == field


def test_agents_may_not_change_categories(lena, installation):
    with pytest.raises(NotAllowed):
        categories.create_category(lena, name="Billing")
    with pytest.raises(NotAllowed):
        categories.update_category(lena, installation, follow_up="off")
