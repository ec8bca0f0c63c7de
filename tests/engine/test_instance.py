"""Private files of an installation: the generated key and the running server's record."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from lhs_kg.config import Settings
from lhs_kg.instance import (
    ServerRecord,
    generated_secret_key,
    read_server_record,
    remove_server_record,
    server_record_path,
    write_server_record,
)


def test_the_generated_key_is_random_private_and_stable(tmp_path: Path) -> None:
    key = generated_secret_key(tmp_path / "instance")
    assert len(key) >= 32
    assert stat.S_IMODE((tmp_path / "instance" / "secret_key").stat().st_mode) == 0o600
    assert generated_secret_key(tmp_path / "instance") == key
    assert generated_secret_key(tmp_path / "other") != key


def test_a_too_readable_key_file_is_made_private_again(tmp_path: Path) -> None:
    generated_secret_key(tmp_path)
    os.chmod(tmp_path / "secret_key", 0o644)
    generated_secret_key(tmp_path)
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def settings_for(tmp_path: Path, store: str) -> Settings:
    return Settings.from_env({"LHS_KG_VAR_DIR": str(tmp_path / "var"), "LHS_KG_STORE": store})


def test_a_live_record_is_found_for_its_own_store_only(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, str(tmp_path / "store"))
    record = ServerRecord("http://127.0.0.1:5000", os.getpid(), settings.store, "t" * 43)
    path = write_server_record(settings, record)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_server_record(settings) == record
    assert read_server_record(settings_for(tmp_path, str(tmp_path / "other"))) is None
    remove_server_record(settings, os.getpid())
    assert read_server_record(settings) is None


def test_a_record_left_by_a_dead_server_is_ignored_and_removed(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, str(tmp_path / "store"))
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(finished.stdout)
    write_server_record(settings, ServerRecord("http://127.0.0.1:1", dead, settings.store, "x"))
    assert read_server_record(settings) is None
    assert not server_record_path(settings).exists()


def test_the_instance_folder_and_reviewers_file_follow_the_var_dir_unless_set(
    tmp_path: Path,
) -> None:
    settings = Settings.from_env({"LHS_KG_VAR_DIR": str(tmp_path / "var")})
    assert settings.instance_dir == tmp_path / "var" / "instance"
    assert settings.reviewers_file == tmp_path / "var" / "instance" / "reviewers.json"
    moved = Settings.from_env(
        {
            "LHS_KG_VAR_DIR": str(tmp_path / "var"),
            "LHS_KG_INSTANCE_DIR": str(tmp_path / "etc"),
            "LHS_KG_REVIEWERS_FILE": str(tmp_path / "people.json"),
        }
    )
    assert moved.instance_dir == tmp_path / "etc"
    assert moved.reviewers_file == tmp_path / "people.json"
