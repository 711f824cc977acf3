"""Files os1 writes where a person names: atomic, private, never replacing what is not a file."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from tests.conftest import run_os1, write_script

from os1.errors import OutputError
from os1.files import atomic_path, inside, write_file

ONE_MEMORY = {
    "format": "os1-memory-export",
    "version": 1,
    "exported_at": "2026-01-01T00:00:00+00:00",
    "memories": [
        {
            "id": 1,
            "kind": "fact",
            "about": "Ana",
            "aspect": "home",
            "content": "Ana lives in Porto.",
            "importance": 3,
            "confidence": 1.0,
            "source": "import",
            "created_at": "2026-01-01T00:00:00+00:00",
            "updated_at": "2026-01-01T00:00:00+00:00",
        }
    ],
}


@pytest.fixture
def remembered(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(ONE_MEMORY), encoding="utf-8")
    assert run_os1("memory", "import", str(source)).code == 0


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_write_replaces_a_file_whole_and_leaves_it_private(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o644)
    write_file(target, b"new")
    assert target.read_bytes() == b"new"
    assert _mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_failed_write_leaves_the_old_file_and_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "speech.wav"
    target.write_bytes(b"old")

    def write_half() -> None:
        with atomic_path(target) as partial:
            assert partial.suffix == ".wav"  # a writer that reads the format from the name can
            partial.write_bytes(b"half")
            raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError):
        write_half()
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech.wav"]


def test_a_named_link_is_written_through_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_file(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_os1s_own_paths_never_follow_a_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("keep", encoding="utf-8")
    planted = tmp_path / "letter-1.pdf"
    planted.symlink_to(elsewhere)
    with pytest.raises(OutputError, match="not a regular file"):
        write_file(planted, b"pdf", named=False)
    assert elsewhere.read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("name", ["../../etc/passwd", "..", "a/b\\c", "\x1b[2J", ""])
def test_a_name_cannot_lead_a_file_out_of_its_folder(tmp_path: Path, name: str) -> None:
    path = inside(tmp_path, name, ".pdf")
    assert path.parent == tmp_path
    assert not path.name.startswith(".")


def test_memory_export_to_a_device_a_link_a_folder_and_a_missing_folder(
    tmp_path: Path, remembered: None
) -> None:
    full = run_os1("memory", "export", "/dev/full")
    assert full.code == 1
    assert "No space left" in full.stderr
    assert "Traceback" not in full.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # the device is still a device

    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    (tmp_path / "link.json").symlink_to(real)
    assert run_os1("memory", "export", str(tmp_path / "link.json")).code == 0
    assert (tmp_path / "link.json").is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["memories"][0]["content"] == (
        "Ana lives in Porto."
    )
    assert _mode(real) == 0o600

    for target, says in (
        (tmp_path, "is a folder"),
        (tmp_path / "missing" / "x.json", "does not exist"),
    ):
        refused = run_os1("memory", "export", str(target))
        assert refused.code == 1
        assert says in refused.stderr
        assert "Traceback" not in refused.stderr
    assert not (tmp_path / "missing").exists()
    assert not list(tmp_path.glob("*.tmp"))
    assert not list(tmp_path.glob(".*partial*"))


def test_a_client_name_with_dots_and_slashes_books_inside_the_data_folder(
    home: Path, tmp_path: Path
) -> None:
    name = "../../../../escaped"
    draft = "Dear Ruth,\n\nI miss you.\n\nWith love,\nHal"
    env = {"OS1_MODEL": write_script(tmp_path / "s.json", [draft])}
    assert run_os1("letters", "client", "add", name, env=env).code == 0
    assert run_os1("letters", "recipient", "add", "Ruth", "--client", name, env=env).code == 0
    wrote = run_os1("letters", "write", "--client", name, "--to", "Ruth", env=env)
    assert wrote.code == 0, wrote.stderr
    bound = run_os1("letters", "book", "--client", name, "--title", "Ours", env=env)
    assert bound.code == 0, bound.stderr
    [written] = [Path(line.strip()) for line in bound.stdout.splitlines() if line.strip()]
    assert written.exists()
    assert written.parent == home / "data" / "letters"
    assert _mode(written) == 0o600
    assert not (home / "escaped.pdf").exists()


def test_speak_refuses_other_formats_folders_and_a_terminal_before_speaking(
    tmp_path: Path,
) -> None:
    env = {"OS1_TTS": "fake"}
    for target, says in (
        (tmp_path / "x.mp3", "WAV only"),
        (tmp_path, "is a folder"),
        (tmp_path / "nowhere" / "x.wav", "does not exist"),
    ):
        refused = run_os1("speak", "hello", "-o", str(target), env=env)
        assert refused.code == 1, refused.stdout
        assert says in refused.stderr
        assert "Traceback" not in refused.stderr
    made = run_os1("speak", "hello", "-o", str(tmp_path / "x.wav"), env=env)
    assert made.code == 0, made.stderr
    assert _mode(tmp_path / "x.wav") == 0o600
    piped = run_os1("speak", "hello", "-o", "-", env=env)
    assert piped.code == 0, piped.stderr
    assert piped.stdout.startswith("RIFF")
