"""CPU of a load run's processes, by role, beside the mail they got through.

    python -m bench.worker_cpu --data-dir /tmp/fl-load --database-url URL --out FILE.jsonl

Samples every second until stopped (SIGINT/SIGTERM) or --seconds pass: for every
process whose environment has FRONTLINE_DATA_DIR=<data dir> (the load run's own
processes: `bench.load` starts them with it), its user+system CPU seconds from
/proc/<pid>/stat, summed by role (worker, web, listener, sink); and the run's inbound
mail by state (counted in the database). `summarise` prints mails/s and worker CPU
seconds per mail between two moments of the file (the run, the drain).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import sys
import time
from pathlib import Path

# The first word that names the role ("serve --no-worker" is a web process).
ROLES = (("serve", "web"), ("worker", "worker"), ("listen", "listener"),
         ("mail_sink", "sink"))
TICKS = os.sysconf("SC_CLK_TCK")


def _processes(data_dir: str) -> dict[int, tuple[str, float]]:
    """pid -> (role, CPU seconds) of the processes of this data dir."""
    found: dict[int, tuple[str, float]] = {}
    wanted = f"FRONTLINE_DATA_DIR={data_dir}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if wanted not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        role = next((name for key, name in ROLES if key in command), None)
        if role is None:
            continue
        # Fields after the name: state is [0]; utime [11], stime [12] (proc(5)).
        found[int(entry.name)] = (role, (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def sample(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    os.environ["FRONTLINE_DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.db.models import Count

    from frontline.mail.models import InboundMail

    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    # CPU of processes that ended meanwhile is kept (a killed worker's share).
    seen: dict[int, tuple[str, float]] = {}
    started = time.monotonic()
    first_id = args.first_id if args.first_id is not None else (
        InboundMail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
    with open(args.out, "a") as out:
        while not stop and time.monotonic() - started < args.seconds:
            seen.update(_processes(args.data_dir))
            cpu: dict[str, float] = {}
            for role, seconds in seen.values():
                cpu[role] = round(cpu.get(role, 0.0) + seconds, 2)
            states = dict(InboundMail.objects.filter(pk__gt=first_id).values_list("state")
                          .annotate(n=Count("pk")).values_list("state", "n"))
            out.write(json.dumps({"t": round(time.time(), 1), "cpu": cpu, "mail": states,
                                  "load": os.getloadavg()[0]}) + "\n")
            out.flush()
            time.sleep(1.0)


def summarise(args: argparse.Namespace) -> None:
    rows = [json.loads(line) for line in Path(args.out).read_text().splitlines()]
    marks = [float(t) for t in args.between]
    for start, end in itertools.pairwise(marks):
        inside = [row for row in rows if start <= row["t"] <= end]
        if len(inside) < 2:
            print(f"{start}-{end}: no samples")
            continue
        first, last = inside[0], inside[-1]
        done = sum(n for state, n in last["mail"].items() if state != "stored") - sum(
            n for state, n in first["mail"].items() if state != "stored")
        seconds = last["t"] - first["t"]
        cpu = {role: round(last["cpu"].get(role, 0) - first["cpu"].get(role, 0), 1)
               for role in last["cpu"]}
        per_mail = (f"{1000 * cpu.get('worker', 0) / done:.1f} ms worker CPU a mail"
                    if done else "no mail done")
        loads = [row["load"] for row in inside]
        print(f"{seconds:.0f} s: {done} mails done, {done / seconds:.1f} mails/s; CPU s {cpu}; "
              f"{per_mail}; load {min(loads):.1f}-{max(loads):.1f}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("sample", "summarise"), nargs="?",
                        default="sample")
    parser.add_argument("--data-dir", default="/tmp/fl-load")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/fl_load")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seconds", type=float, default=3600)
    parser.add_argument("--first-id", type=int, default=None,
                        help="count inbound mail above this id (default: the newest now)")
    parser.add_argument("--between", nargs="*", default=[],
                        help="unix times: summarise between each two")
    args = parser.parse_args(argv)
    if args.command == "sample":
        sample(args)
    else:
        summarise(args)


if __name__ == "__main__":
    main(sys.argv[1:])
