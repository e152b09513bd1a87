"""Run the benchmarks one after another and keep what they print, for the README's tables.

    .venv/bin/python bench/all.py --quick                        # small sizes, a few minutes in all
    .venv/bin/python bench/all.py --full --readme                # the README's sizes; its blocks updated
    .venv/bin/python bench/all.py --quick --only dashboard engine

Each benchmark runs as a subprocess of this same Python, in this environment (``DATABASE_URL`` as
given), from the project's root, in its own process group. ``--quick`` passes small sizes (a few
thousand customers; ``load`` is left out unless named in ``--only``); ``--full`` passes none but
``FULL``'s, so each benchmark runs at its own default sizes, the ones the README reports. Each run
stops by itself: after ``--timeout`` seconds (default: 20 minutes each quick, 6 hours each full)
its process group gets SIGTERM (the benchmarks then drop their scratch databases), and SIGKILL a
minute later. Unless the environment says otherwise, they log warnings only and send mail and texts
nowhere (``QUIET``).

Everything a benchmark prints goes to ``bench/results/<name>.md`` (a first comment line says the
command, exit code and time); a failure's file ends with its exit code and what it wrote to stderr.
These files are meant to be committed when regenerated for the README. With ``--readme``, each
benchmark that succeeded replaces in README.md (or ``--readme-file``) the text between
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` (each marker alone on its line) with its output:
the environment line and its tables as markdown (from its ``=== summary`` line on, if it prints
one), or in a ``text`` fence if it prints no markdown table; indented as the opening marker is (so
a block inside a list item stays in it). Failures do not touch the README. The exit status is 1 if
any benchmark failed (they are listed at the end).
"""

import argparse
import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

# The benchmarks in the order they run, with the flags for --quick (--full passes none: each
# benchmark's defaults are the sizes the README reports).
QUICK: dict[str, list[str]] = {
    "seed_demo": ["--sizes", "10000"],
    "engine": ["--customers", "10000"],
    "tablet": ["--sizes", "10000"],
    "refresh": ["--sizes", "10000", "--workers", "1", "2"],
    "dashboard": ["--customers", "10000"],
    "api": ["--orders", "2000"],
    "imports": ["--rows", "10000", "--customers", "2000", "--stores", "300", "--store-rows", "10000"],
    "identity": ["--customers", "5000"],
    "outreach": ["--customers", "5000", "--repeat", "10"],
    "inbound": ["--sizes", "10000", "--messages", "500", "--cards", "8"],
    "occasions": ["--sizes", "10000"],
    "privacy": ["--customers", "2000", "--orders", "10", "100", "1000", "--requests", "10"],
    "load": ["--customers", "2000", "--users", "5", "--seconds", "10", "--workers", "2"],
}
# With --full, each benchmark's defaults and these.
FULL: dict[str, list[str]] = {"refresh": ["--workers", "1", "2", "--workers-max", "100000"]}
NOT_QUICK = {"load"}  # run in quick mode only when named in --only
GRACE = 60  # seconds between SIGTERM and SIGKILL
# What the benchmarks' own logging and mail would otherwise add to their output (unless set).
QUIET = {
    "LOG_LEVEL": "WARNING",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "SMS_BACKEND": "common.sms.LocmemSmsBackend",
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--quick", action="store_true", help="small sizes (load left out unless in --only)")
    size.add_argument("--full", action="store_true", help="each benchmark's default sizes (the README's)")
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=list(QUICK), help="these benchmarks")
    parser.add_argument(
        "--timeout", type=float, help="seconds per benchmark (default: 1200 quick, 21600 full)"
    )
    parser.add_argument(
        "--readme", action="store_true", help="replace the README's <!-- bench:NAME --> blocks"
    )
    parser.add_argument("--readme-file", type=Path, default=ROOT / "README.md", help="default: README.md")
    args = parser.parse_args()
    if args.only:
        names = [name for name in QUICK if name in args.only]
    else:
        names = [name for name in QUICK if args.full or name not in NOT_QUICK]
    timeout = args.timeout or (1200.0 if args.quick else 21600.0)
    RESULTS.mkdir(parents=True, exist_ok=True)

    failures: list[str] = []
    for name in names:
        command = [sys.executable, f"bench/{name}.py", *(QUICK[name] if args.quick else FULL.get(name, []))]
        shown = shlex.join(["python", *command[1:]])
        print(f"\n>> {shown} (timeout {timeout:.0f} s)", flush=True)
        code, timed_out, seconds, out, err = run(command, timeout)
        status = f"timed out after {timeout:.0f} s, exit {code}" if timed_out else f"exit {code}"
        lines = [f"<!-- bench/all.py: {shown}; {status}; {seconds:.0f} s -->\n", out]
        if code != 0:
            failures.append(f"{name} ({status})")
            stderr = f"Its stderr:\n\n```text\n{err}```" if err else "Nothing on stderr."
            lines.append(f"\n**Failed**: {status}. {stderr}\n")
        (RESULTS / f"{name}.md").write_text("".join(lines))
        print(f">> {name}: {status}, {seconds:.0f} s -> bench/results/{name}.md", flush=True)
        if args.readme and code == 0:
            print(f">> {name}: {update_readme(args.readme_file, name, out)}", flush=True)

    if failures:
        print(f"\nFailed: {', '.join(failures)}", file=sys.stderr)
        sys.exit(1)
    print(f"\nAll {len(names)} ran: {', '.join(names)}")


def run(command: list[str], timeout: float) -> tuple[int, bool, float, str, str]:
    """Run ``command`` in a process group of its own, echoing its output as it comes; stop the group
    after ``timeout`` seconds (SIGTERM, then SIGKILL after GRACE). Exit code, timed out, seconds,
    stdout, stderr."""
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603 - this Python, running a script of bench/
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, bufsize=1, start_new_session=True, env=QUIET | dict(os.environ),
    )  # fmt: skip
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=_tee, args=(process.stdout, sys.stdout, out), daemon=True),
        threading.Thread(target=_tee, args=(process.stderr, sys.stderr, err), daemon=True),
    ]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=GRACE)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
    except KeyboardInterrupt:
        _signal_group(process.pid, signal.SIGTERM)
        process.wait(timeout=GRACE)
        raise
    if not timed_out:
        # Whatever it left running in its group (none should) ends with it.
        _signal_group(process.pid, signal.SIGTERM)
    for reader in readers:
        reader.join(timeout=10)
    code = process.returncode if not timed_out else (process.returncode or 124)
    return code, timed_out, time.monotonic() - started, "".join(out), "".join(err)


def _tee(source: IO[str] | None, echo: IO[str], into: list[str]) -> None:
    assert source is not None
    for line in source:
        into.append(line)
        echo.write(line)
        echo.flush()


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group has ended already
        os.killpg(pid, sig)


def as_markdown(output: str) -> list[str]:
    """The benchmark's output as README lines: its first line (where it was measured) and, if it
    prints a ``=== summary`` line, only what follows that; as it is if it prints a markdown table
    (blank lines added around each table, so a table never runs into a paragraph), else in a
    ``text`` fence."""
    lines = output.rstrip("\n").splitlines()
    summary = next((n for n, line in enumerate(lines) if line.startswith("=== summary")), None)
    if summary is not None:
        lines = [lines[0], *lines[summary:]]
    if not any(line.startswith("|") for line in lines):
        return ["```text", *lines, "```"]
    result: list[str] = []
    for line in lines:
        if result and result[-1] and line and result[-1].startswith("|") != line.startswith("|"):
            result.append("")
        result.append(line)
    return result


def update_readme(readme: Path, name: str, output: str) -> str:
    """Replace the lines between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` with ``output``."""
    text = readme.read_text()
    pattern = re.compile(
        rf"^(?P<indent>[ \t]*)<!-- bench:{re.escape(name)} -->\n.*?^[ \t]*<!-- /bench:{re.escape(name)} -->$",
        re.MULTILINE | re.DOTALL,
    )
    found = list(pattern.finditer(text))
    if len(found) != 1:
        return f"{len(found)} <!-- bench:{name} --> blocks in {readme.name}, so it is left as it was"
    indent = found[0]["indent"]
    body = "\n".join(f"{indent}{line}" if line else "" for line in as_markdown(output))
    block = f"{indent}<!-- bench:{name} -->\n{body}\n{indent}<!-- /bench:{name} -->"
    readme.write_text(text[: found[0].start()] + block + text[found[0].end() :])
    return f"its block in {readme.name} replaced"


if __name__ == "__main__":
    main()
