"""Private files and the writers' queue in front of DuckDB's own lock.

Private files
    Everything milepay writes holds book data (the book, DuckDB's ``.wal`` beside it, backups,
    exports, saved messages), so it is created readable by its owner only *from the moment it
    exists*: :func:`private_umask` sets the process umask to 077 around the creation. DuckDB
    creates the WAL with the process umask whatever the book's own mode is, so a chmod after
    the fact would leave a window (and nothing at all after a crash). The umask is per process,
    so nested and concurrent users are counted and the old value comes back with the last one.

The writers' queue
    DuckDB lets one process hold a file at a time and answers a second with an immediate
    error, so waiting for it means polling with back-off, and under four busy writers a
    poller can lose the race again and again until its timeout (the bug report saw 7 of 2,960
    writes refused). milepay processes therefore first queue on a lock file beside the book
    (``book.duckdb.lock``, mode 0600, never deleted): ``flock`` waits in the kernel and is
    granted as soon as the holder lets go, shared for reads and exclusive for writes, and it
    is released by the kernel when a holder dies (kill -9 included). The DuckDB-level retry
    stays behind it for programs that do not queue (the DuckDB shell, an older milepay).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

_UMASK_GUARD = threading.Lock()
_umask_users = 0
_umask_saved = 0


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """Files and folders created inside are 0600 / 0700 (counted, so it nests across threads)."""
    global _umask_users, _umask_saved
    with _UMASK_GUARD:
        if _umask_users == 0:
            _umask_saved = os.umask(0o077)
        _umask_users += 1
    try:
        yield
    finally:
        with _UMASK_GUARD:
            _umask_users -= 1
            if _umask_users == 0:
                os.umask(_umask_saved)


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (and missing parents) as 0700; an existing folder is left as it is."""
    with private_umask():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def readable_file(text: str, field: str, *, base: Path | None = None) -> str:
    """The absolute path of a file that exists and can be read, or ``""`` for an empty value.

    ``~`` is expanded and a relative path is taken from ``base`` (the folder of an imported
    CSV file) or else the current folder, so the book never holds a path that means something
    else tomorrow. Raises :class:`~tui.domain.errors.ValidationError` naming ``field``.
    """
    from tui.domain.errors import ValidationError

    raw = (text or "").strip()
    if not raw:
        return ""
    try:
        path = Path(raw).expanduser()
    except RuntimeError:  # ~name of a user with no home folder
        raise ValidationError(field, f"{raw}: no such home folder") from None
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    path = Path(os.path.abspath(path))  # absolute even when ``base`` was relative
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ValidationError(field, f"{path} does not exist") from None
    except OSError as exc:
        raise ValidationError(field, f"{path} cannot be read: {exc.strerror or exc}") from None
    import stat

    if not stat.S_ISREG(info.st_mode):
        raise ValidationError(field, f"{path} is not a file")
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise ValidationError(field, f"{path} cannot be read: {exc.strerror or exc}") from None
    return str(path)


class QueueTimeout(Exception):
    """The lock file was not granted within the time asked (another milepay holds it)."""


class WritersQueue:
    """A ``flock`` on ``<book>.lock``: shared for readers, exclusive for a writer.

    :meth:`hold` waits in the kernel for at most ``timeout`` seconds. ``flock`` has no timeout
    of its own, so the blocking call runs in a short-lived thread; when the caller gives up,
    that thread releases the lock as soon as it is granted. Where no lock file can be made
    (a read-only folder), :meth:`hold` holds nothing and DuckDB's own lock still protects the
    book.
    """

    def __init__(self, book_path: Path) -> None:
        self.path = book_path.with_name(book_path.name + ".lock")

    def _open(self) -> int | None:
        try:
            with private_umask():
                return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError:
            return None

    @contextlib.contextmanager
    def hold(self, *, exclusive: bool, timeout: float) -> Iterator[None]:
        """Hold the queue lock (shared or exclusive) for the body; QueueTimeout after timeout."""
        fd = self._open()
        if fd is None:
            yield
            return
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            fd = self._wait(fd, mode, timeout)
        except OSError:  # a file system without flock: DuckDB's lock is still there
            os.close(fd)
            yield
            return
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @staticmethod
    def _wait(fd: int, mode: int, timeout: float) -> int:
        granted = threading.Event()
        state = {"abandoned": False, "error": None}
        guard = threading.Lock()

        def block() -> None:
            try:
                fcntl.flock(fd, mode)
            except OSError as exc:  # pragma: no cover - flock failing after LOCK_NB worked
                state["error"] = exc
            with guard:
                if state["abandoned"]:
                    with contextlib.suppress(OSError):
                        fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
                    return
                granted.set()

        threading.Thread(target=block, name="milepay-queue", daemon=True).start()
        if granted.wait(max(timeout, 0.0)):
            return fd
        with guard:
            if granted.is_set():
                return fd
            state["abandoned"] = True
        raise QueueTimeout


def lock_holder(path: Path) -> int | None:
    """The pid of a process holding a ``flock`` on ``path`` (Linux ``/proc/locks``), if any."""
    try:
        st = os.stat(path)
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    ino = st.st_ino
    for line in lines:
        parts = line.split()
        # "1: FLOCK  ADVISORY  WRITE 4121 08:01:123456 0 EOF" (blocked waiters have "->")
        if "->" in parts or len(parts) < 6 or parts[1] != "FLOCK":
            continue
        with contextlib.suppress(ValueError, IndexError):
            if int(parts[5].rsplit(":", 1)[1]) == ino and int(parts[4]) != os.getpid():
                return int(parts[4])
    return None
