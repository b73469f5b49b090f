"""People search at scale: seed N contacts (and N/50 organizations), time find_people.

Not a test. Run against a scratch database (it adds rows; it deletes none):

    FRONTLINE_DATA_DIR=/tmp/fl-people .venv/bin/frontline migrate
    FRONTLINE_DATA_DIR=/tmp/fl-people .venv/bin/python -m bench.people_search 200000
    FRONTLINE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fl_people \
      .venv/bin/python -m bench.people_search 200000

Names mix languages and accents (Inês, Jürgen, Zoë, Ólafur...), double names and
particles, so the words of a name repeat unevenly: "maria" is in thousands of
names, the seeded "Quillfeather" in one.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

import django

FIRST = ["Maria", "Inês", "João", "Jürgen", "Zoë", "Ólafur", "Aiko", "Chidi", "Priya",
         "Sven", "Ana Lucía", "Jean-Luc", "Wei", "Fatima", "Noa", "Łukasz", "Søren", "Amara",
         "Dmitri", "Elif", "Mateo", "Hana", "Kwame", "Lucía", "Olga"]
LAST = ["Moreno", "Carvalho", "Müller", "Ångström", "Okafor", "Tanaka", "Raman", "Dubois",
        "van der Berg", "O'Brien", "García López", "Nowak", "Ólafsson", "Kowalczyk", "Rossi",
        "Haddad", "Nguyen", "Schröder", "Fernández", "Lindqvist", "Abara", "Petrov",
        "Y\u0131lmaz", "Silva", "Weber"]  # Turkish dotless i
COMPANY = ["Robotics", "Logistics", "Health", "Foods", "Analytics", "Traders", "Energía",
           "Bau", "Systèmes", "Retail", "Labs", "Mobility"]
QUERIES = ["moreno", "Robotics", "ines", "maria", "ma", "van der", "garcia lopez",
           "quillfeather", "zz-nobody", "Acme Rob", "schroder"]


def seed(count: int) -> None:
    from frontline.customers.models import Contact, Organization

    rng = random.Random(count)
    organizations = Organization.objects.bulk_create(
        Organization(name=f"{rng.choice(['Acme', 'Nord', 'Sol', 'Kappa', 'Delta', 'Über'])} "
                          f"{rng.choice(COMPANY)} {n}")
        for n in range(count // 50))
    batch = []
    for n in range(count):
        batch.append(Contact(name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                             organization=rng.choice(organizations) if n % 3 else None))
        if len(batch) == 5000:
            Contact.objects.bulk_create(batch)
            batch = []
    Contact.objects.bulk_create([*batch, Contact(name="Odile Quillfeather")])


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from frontline.core.models import User
    from frontline.customers.models import Contact
    from frontline.search.people import find_people

    call_command("migrate", verbosity=0)
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    if Contact.objects.count() < count:
        started = time.perf_counter()
        seed(count)
        print(f"seeded {count:,} contacts in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE customers_contact")
            cursor.execute("ANALYZE customers_organization")
    agent, _ = User.objects.get_or_create(username="bench-people",
                                          defaults={"role": "agent", "tier": 1})
    print(f"{connection.vendor}, {Contact.objects.count():,} contacts")
    for query in QUERIES:
        times = []
        for _ in range(7):
            started = time.perf_counter()
            found = find_people(agent, query)
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {query!r:16} {len(found.organizations)} org, {len(found.contacts)} contacts"
              f"  median {statistics.median(times):6.1f} ms  max {max(times):6.1f} ms"
              f"  e.g. {[c.contact.name for c in found.contacts[:2]]}")


if __name__ == "__main__":
    main()
