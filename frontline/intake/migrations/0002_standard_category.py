"""The category `standard` always exists: its questions are asked of every request."""

from django.db import migrations


def create_standard(apps, schema_editor):  # type: ignore[no-untyped-def]
    Category = apps.get_model("tickets", "Category")
    if not Category.objects.filter(slug="standard").exists():
        name = "Every request"
        if Category.objects.filter(name=name).exists():
            name = "Every request (standard questions)"
        Category.objects.create(slug="standard", name=name, follow_up="send",
                                description="The questions asked of every request, before "
                                            "its own category's.")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
        ("tickets", "0010_category_follow_up"),
    ]

    operations = [migrations.RunPython(create_standard, migrations.RunPython.noop)]
