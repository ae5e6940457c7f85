"""Where and how an export is written: a new folder, all files or none, never through a link,
owner-only modes, and ``force`` replacing only an export milepay wrote."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tui.domain.errors import RefusedError
from tui.domain.model import Client
from tui.store import Book
from tui.store.exchange import SPECS, export_folder
from tui.store.exchange import export as export_module

FILES = {s.file for s in SPECS}
MARKER = ".milepay-export"


def listing(folder: Path) -> dict[str, bytes]:
    """Every entry of ``folder`` with its bytes (a folder's entry holds b"<dir>")."""
    return {p.name: (b"<dir>" if p.is_dir() else p.read_bytes()) for p in sorted(folder.iterdir())}


def leftovers(parent: Path) -> list[str]:
    """Temporary folders an export left behind in ``parent``."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".milepay-"))


def exists_message(folder: Path) -> str:
    return (
        f"{folder} already exists; choose a new folder or pass --force to replace an export "
        "milepay wrote"
    )


def test_export_writes_a_new_private_folder_with_a_marker(tmp_path: Path, book: Book) -> None:
    out = tmp_path / "deep" / "out"
    written = export_folder(book, out)
    assert sorted(p.name for p in written) == sorted(FILES)
    assert set(os.listdir(out)) == FILES | {MARKER}
    assert (out / MARKER).read_text() == "milepay export\nversion: 0.1.0\ndate: 2026-11-24\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "deep").stat().st_mode) == 0o700
    for name in FILES | {MARKER}:
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name
    assert leftovers(tmp_path / "deep") == []


def test_an_existing_folder_is_refused_and_left_as_it_is(tmp_path: Path, book: Book) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.txt").write_text("my work")
    before = listing(out)
    with pytest.raises(RefusedError) as info:
        export_folder(book, out)
    assert str(info.value) == exists_message(out)
    assert listing(out) == before
    assert leftovers(tmp_path) == []


def test_a_second_export_to_the_same_folder_needs_force(tmp_path: Path, book: Book) -> None:
    out = tmp_path / "out"
    export_folder(book, out)
    before = listing(out)
    with pytest.raises(RefusedError, match="already exists; choose a new folder or pass --force"):
        export_folder(book, out)
    assert listing(out) == before


def test_an_existing_empty_folder_is_used(tmp_path: Path, book: Book) -> None:
    out = tmp_path / "empty"
    out.mkdir(mode=0o755)
    export_folder(book, out)
    assert set(os.listdir(out)) == FILES | {MARKER}
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert leftovers(tmp_path) == []


def test_force_replaces_an_export_milepay_wrote(tmp_path: Path, book: Book) -> None:
    out = tmp_path / "out"
    export_folder(book, out)
    assert (out / "clients.csv").read_text().count("\n") == 1  # the header only
    book.add_client(Client.parse({"name": "Acme"}), [])
    export_folder(book, out, force=True)
    assert (out / "clients.csv").read_text().splitlines()[1].startswith("Acme,")
    assert set(os.listdir(out)) == FILES | {MARKER}
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert leftovers(tmp_path) == []


def test_force_refuses_a_folder_without_the_marker(tmp_path: Path, book: Book) -> None:
    out = tmp_path / "out"
    export_folder(book, out)
    (out / MARKER).unlink()
    before = listing(out)
    with pytest.raises(RefusedError) as info:
        export_folder(book, out, force=True)
    assert str(info.value) == (
        f"{out} was not written by milepay export (it has no .milepay-export file); it was left "
        "as it is, choose a new folder"
    )
    assert listing(out) == before
    assert leftovers(tmp_path) == []


def test_force_refuses_an_export_holding_other_files(tmp_path: Path, book: Book) -> None:
    out = tmp_path / "out"
    export_folder(book, out)
    (out / "notes.txt").write_text("mine")
    (out / "sub").mkdir()
    before = listing(out)
    with pytest.raises(RefusedError) as info:
        export_folder(book, out, force=True)
    assert str(info.value) == (
        f"{out} holds notes.txt, sub besides an export; it was left as it is, choose a new folder"
    )
    assert listing(out) == before


def test_force_refuses_a_marker_that_is_a_link(tmp_path: Path, book: Book) -> None:
    elsewhere = tmp_path / "fake-marker"
    elsewhere.write_text("milepay export\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "clients.csv").write_text("name\n")
    (out / MARKER).symlink_to(elsewhere)
    with pytest.raises(RefusedError, match="was not written by milepay export"):
        export_folder(book, out, force=True)
    assert (out / "clients.csv").read_text() == "name\n"


@pytest.mark.parametrize("target_exists", [True, False])
def test_a_link_as_target_is_refused(tmp_path: Path, book: Book, target_exists: bool) -> None:
    target = tmp_path / "target"
    if target_exists:
        target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    for force in (False, True):
        with pytest.raises(RefusedError) as info:
            export_folder(book, link, force=force)
        assert str(info.value) == (
            f"{link} is a symbolic link; an export is written only to a real folder, never "
            "through a link"
        )
    assert link.is_symlink()
    assert (os.listdir(target) == []) if target_exists else not target.exists()
    assert leftovers(tmp_path) == []


def test_a_file_as_target_is_refused(tmp_path: Path, book: Book) -> None:
    target = tmp_path / "file.csv"
    target.write_text("keep")
    with pytest.raises(RefusedError, match="exists and is not a folder"):
        export_folder(book, target, force=True)
    assert target.read_text() == "keep"


def test_a_failure_while_writing_leaves_nothing(
    tmp_path: Path, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = export_module._write_csv
    calls = []

    def failing(path: Path, *args: object) -> None:
        calls.append(path.name)
        if len(calls) == 5:
            raise OSError(28, "No space left on device", str(path))
        real(path, *args)

    monkeypatch.setattr(export_module, "_write_csv", failing)
    with pytest.raises(OSError, match="No space left"):
        export_folder(book, tmp_path / "out")
    assert len(calls) == 5
    assert not (tmp_path / "out").exists()
    assert leftovers(tmp_path) == []


def test_a_failure_while_replacing_keeps_the_old_export(
    tmp_path: Path, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    export_folder(book, out)
    before = listing(out)
    book.add_client(Client.parse({"name": "Acme"}), [])
    real_rename = os.rename
    renames: list[tuple[str, str]] = []

    def rename(src: object, dst: object) -> None:
        renames.append((Path(str(src)).name, Path(str(dst)).name))
        if len(renames) == 2:  # the new export into place, after the old one went aside
            raise OSError(5, "Input/output error")
        real_rename(src, dst)

    monkeypatch.setattr(export_module.os, "rename", rename)
    with pytest.raises(OSError, match="Input/output error"):
        export_folder(book, out, force=True)
    assert renames[0] == ("out", "export")
    assert renames[2] == ("export", "out")  # put back
    assert listing(out) == before
    assert leftovers(tmp_path) == []


def test_files_are_created_new_and_never_through_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    planted = tmp_path / "clients.csv"
    planted.symlink_to(victim)
    with pytest.raises(FileExistsError):
        export_module._open_new(planted)
    dangling = tmp_path / "settings.csv"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(FileExistsError):
        export_module._open_new(dangling)
    assert victim.read_text() == "untouched"
    assert not (tmp_path / "nowhere").exists()


def test_settings_kept_in_the_config_file_are_never_exported(tmp_path: Path, book: Book) -> None:
    """Even a book still holding mail settings (an old book, a hand edit) does not export them."""
    with book.writing() as con:
        for key, value in (("smtp_host", "mail.example"), ("theme", "light")):
            con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, value])
    book.save_settings({"business_name": "Me Ltd"})
    export_folder(book, tmp_path / "out")
    text = (tmp_path / "out" / "settings.csv").read_text()
    assert "business_name,Me Ltd\n" in text
    assert "smtp" not in text and "theme" not in text and "mail.example" not in text


def test_force_does_not_wait_on_a_marker_that_is_a_fifo(tmp_path: Path, book: Book) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / MARKER)
    with pytest.raises(RefusedError, match="was not written by milepay export"):
        export_folder(book, out, force=True)
    assert stat.S_ISFIFO(os.lstat(out / MARKER).st_mode)
