"""Helpers of the reliability tests (issue 8): child processes, kills, locks, latency figures.

The tests start real processes (DuckDB's file lock and the writers' queue are per process),
kill them with SIGKILL and look at what is left. Starting Python with DuckDB and Polars costs
about half a second of CPU, so the kill tests fork their victims from a :class:`Zygote` that
imported everything once: each victim is a process of its own (its own DuckDB instance, its
own locks), started in milliseconds, and the kill lands on the work, not on start-up.
Long-lived children (:data:`WRITER`) say ``ready`` and wait for a line on stdin, so several
can be started together.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: a child adding clients ``<tag>-0``, ``<tag>-1``, ... until killed or until ``seconds`` pass
#: (0: forever). Each acknowledged write (the call returned) is printed as
#: ``ack <name> <seconds>``, a refusal as ``busy <seconds> <message>``; a final ``done``.
#: With a fourth argument ``wait`` it first says ``ready`` and waits for a line on stdin.
WRITER = r"""
import sys, time
from tui.domain import Client
from tui.store import Book, BookBusyError
path, tag, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
book = Book(path)
if sys.argv[4:] == ["wait"]:
    print("ready", flush=True)
    sys.stdin.readline()
end = time.monotonic() + seconds if seconds > 0 else float("inf")
i = 0
while time.monotonic() < end:
    name = f"{tag}-{i}"
    start = time.perf_counter()
    try:
        book.add_client(Client(name=name))
    except BookBusyError as exc:
        print("busy", time.perf_counter() - start, str(exc), flush=True)
        continue
    print("ack", name, time.perf_counter() - start, flush=True)
    i += 1
print("done", flush=True)
"""


ZYGOTE = r"""
import os, sys, json, traceback
import tui.cli, tui.store, tui.store.exchange, tui.domain  # noqa: F401  (loaded once)
print("ready", flush=True)
for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            sys.stdout = open(job["out"], "w", buffering=1, encoding="utf-8")
            sys.stderr = open(job["err"], "w", buffering=1, encoding="utf-8")
            sys.argv = job["argv"]
            exec(compile(job["code"], "<forked>", "exec"), {"__name__": "__main__"})
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print("exit", os.waitstatus_to_exitcode(status), flush=True)
"""


class Forked:
    """A process forked by the :class:`Zygote`: its pid and the files holding its output."""

    def __init__(self, pid: int, out: Path, err: Path) -> None:
        self.pid = pid
        self.out = out
        self.err = err

    def lines(self) -> list[str]:
        """What it printed so far (complete lines only)."""
        text = self.out.read_text(encoding="utf-8") if self.out.exists() else ""
        return text.splitlines() if text.endswith("\n") else text.splitlines()[:-1]

    def stderr(self) -> str:
        """What it wrote to stderr."""
        return self.err.read_text(encoding="utf-8") if self.err.exists() else ""


class Zygote:
    """A Python process with milepay imported that forks one job at a time on request."""

    def __init__(self, scratch: Path, *, umask: int = -1) -> None:
        self.scratch = scratch
        self.jobs = 0
        self.proc = spawn(ZYGOTE, umask=umask)
        wait_ready(self.proc)

    def start(self, code: str, *argv: object) -> Forked:
        """Fork a process running ``code`` with ``sys.argv = ['-c', *argv]``."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.jobs += 1
        out = self.scratch / f"job{self.jobs}.out"
        err = self.scratch / f"job{self.jobs}.err"
        job = {"code": code, "argv": ["-c", *map(str, argv)], "out": str(out), "err": str(err)}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        return Forked(int(self.proc.stdout.readline()), out, err)

    def wait(self) -> int:
        """Wait for the job to end; its exit code (-9 when killed)."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        assert line[:1] == ["exit"], line
        return int(line[1])

    def kill(self, job: Forked) -> int:
        """SIGKILL the job (it may have ended already) and return its exit code."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(job.pid, signal.SIGKILL)
        return self.wait()

    def close(self) -> None:
        """End the zygote."""
        kill9(self.proc)


def child_env(root: Path = ROOT, **extra: str) -> dict[str, str]:
    """The environment of a child: this process's, with ``root`` first on the module path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root)
    env.update(extra)
    return env


def spawn(script: str, *args: object, root: Path = ROOT, umask: int = -1) -> subprocess.Popen[str]:
    """Start ``python -c script args...`` with pipes (and ``umask`` if given); not yet ready."""
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=root,
        env=child_env(root),
        umask=umask,
    )


def wait_ready(proc: subprocess.Popen[str]) -> None:
    """Read the child's ``ready`` line (its imports are done); fail with its stderr if not."""
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != "ready":
        proc.kill()
        _, err = proc.communicate(timeout=10)
        raise AssertionError(f"child did not start: {line!r} {err[-2000:]}")


def go(proc: subprocess.Popen[str]) -> None:
    """Let a ready child start its work."""
    assert proc.stdin is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()


def kill9(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGKILL the child (if still running) and return everything it printed."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    return out, err


def write_lock_held(lock: Path, pid: int) -> bool:
    """True when ``pid`` holds an exclusive ``flock`` on ``lock`` (Linux ``/proc/locks``)."""
    try:
        ino = os.stat(lock).st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return False
    for line in lines:
        parts = line.split()
        # "3: FLOCK  ADVISORY  WRITE 4121 08:01:123456 0 EOF"; waiters have "->" after the number
        if len(parts) < 6 or parts[1] != "FLOCK" or parts[3] != "WRITE":
            continue
        try:
            if int(parts[4]) == pid and int(parts[5].rsplit(":", 1)[1]) == ino:
                return True
        except (ValueError, IndexError):
            continue
    return False


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.001) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def percentiles(values: Iterable[float]) -> dict[str, float]:
    """p50, p95, p99 (nearest rank) and max of ``values``, plus their count (only ``n`` when
    there are none, so the figures stay valid JSON)."""
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    return {
        "n": len(ordered),
        "p50": rank(50),
        "p95": rank(95),
        "p99": rank(99),
        "max": ordered[-1],
    }


def format_latency(label: str, figures: dict[str, float]) -> str:
    """One line of figures in milliseconds: ``label: n=.. p50=.. p95=.. p99=.. max=..``."""
    if not figures["n"]:
        return f"{label}: n=0"
    ms = {k: v * 1000 for k, v in figures.items() if k != "n"}
    return (
        f"{label}: n={figures['n']} p50={ms['p50']:.0f} ms p95={ms['p95']:.0f} ms "
        f"p99={ms['p99']:.0f} ms max={ms['max']:.0f} ms"
    )


def mode(path: Path) -> int:
    """The permission bits of ``path`` (not following a link)."""
    return stat.S_IMODE(os.lstat(path).st_mode)


def write_import_folder(folder: Path, clients: int, contracts: int, milestones: int) -> int:
    """An exchange folder of ``clients`` x ``contracts`` x ``milestones``; returns all rows."""
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, header: list[str], rows: Iterable[list[object]]) -> None:
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(header)
            out.writerows(rows)

    names = [f"Client {c:04d}" for c in range(clients)]
    write("clients.csv", ["name", "email"], ([n, f"c{i}@example.com"] for i, n in enumerate(names)))
    write(
        "contracts.csv",
        ["client", "title", "currency", "total_fee", "start_date"],
        (
            [n, f"Contract {k}", "EUR", f"{milestones * 100}.00", "2026-01-05"]
            for n in names
            for k in range(contracts)
        ),
    )
    write(
        "milestones.csv",
        ["client", "contract", "seq", "title", "amount", "due_date", "status"],
        (
            [
                n,
                f"Contract {k}",
                m + 1,
                f"Step {m + 1}",
                "100.00",
                f"2026-{m % 12 + 1:02d}-15",
                "planned",
            ]
            for n in names
            for k in range(contracts)
            for m in range(milestones)
        ),
    )
    return clients * (1 + contracts * (1 + milestones))
