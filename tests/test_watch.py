"""The watch file: the bundled default, validation errors that name key and line, `init`."""

from __future__ import annotations

import pytest

from weaklink.errors import WatchFileError
from weaklink.project import init_project
from weaklink.watch import bundled_text, load_watch, parse_watch


def test_bundled_declares_the_framework_blocs():
    watch = load_watch()
    assert watch.bloc("axis").members == ["CHN", "PRK", "RUS"]
    assert watch.bloc("alliance").members == ["KOR", "USA", "JPN"]
    assert {"CHN", "PRK", "RUS", "KOR", "USA", "JPN"} <= {a.id for a in watch.actors}
    assert ("CHN", "PRK") in watch.dyads.watch


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("old, new, key, expected", [
    ('id = "RUS"', 'id = "Russia"', "actors.2.id", "pattern"),
    ('members = ["KOR", "USA", "JPN"]', 'members = "KOR"', "blocs.alliance.members", "valid list"),
    ('members = ["CHN", "PRK", "RUS"]', 'members = ["CHN", "PRK", "XXX"]', "blocs.axis.members", "undeclared"),
    ('id = "JPN"', 'id = "JPX"', "actors.5.id", "not an ISO 3166"),
    ('name = "ROK-US-Japan alliance"', 'name = "ROK-US-Japan alliance"\ncolour = "blue"', "blocs.alliance.colour",
     "Extra inputs"),
])
def test_errors_name_key_line_and_expectation(old, new, key, expected):
    text = bundled_text().replace(old, new)
    with pytest.raises(WatchFileError) as error:
        parse_watch(text, "watch.toml")
    message = str(error.value)
    assert f"key '{key}'" in message and expected in message
    assert f"line {line_of(text, new.splitlines()[-1])}" in message


def test_toml_syntax_error_names_the_line():
    text = bundled_text() + "\n[broken\n"
    with pytest.raises(WatchFileError, match=r"not valid TOML.*line \d+"):
        parse_watch(text, "watch.toml")


def test_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(WatchFileError, match="weaklink init"):
        load_watch(tmp_path / "nope.toml")


def test_init_writes_an_editable_copy_and_store(tmp_path):
    watch, store = init_project(tmp_path / "proj")
    assert watch.read_text() == bundled_text() and (tmp_path / "proj" / "weaklink.duckdb").exists()
    watch.write_text(watch.read_text().replace('members = ["CHN", "PRK", "RUS"]', 'members = ["CHN", "RUS"]'))
    assert load_watch(watch).bloc("axis").members == ["CHN", "RUS"]
    with pytest.raises(Exception, match="exists"):
        init_project(tmp_path / "proj")
