"""The README is tested: its Quick start, command by command, and its Python snippet, on real data; and the
"Install with pip" path, from a wheel built from this checkout.

The test reads README.md when it runs, so it follows the README. The README names files as a user would have
them (`data/gdelt/*.export.CSV.zip`, `roll_calls.csv`, `statements/`); `PLACES` maps each to real files from
`../shared/data` or the tests, set up in a temporary folder where every command runs. A path the README names
that is neither mapped nor made by an earlier command fails the test, saying how to map it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]
README = CHECKOUT / "README.md"
TEXT_DOCS = Path(__file__).resolve().parent / "text_docs"
GDELT_FILES = 12  # real GDELT 2.0 exports (of 57) zipped into data/gdelt/: enough months for alerts, quick to ingest
STATEMENT_SUFFIXES = (".md", ".txt", ".html", ".pdf")


def _gdelt(shared: Path, target: Path) -> None:
    """data/gdelt/: real 15-minute exports, zipped as GDELT publishes them (the first of each day, then more)."""
    target.mkdir(parents=True)
    exports = sorted((shared / "gdelt-v2-events/oreillyross-GDELT_Downloader").glob("*.export.CSV"))
    by_day = {}
    for path in exports:
        by_day.setdefault(path.name[:8], path)
    chosen = list(by_day.values())[:GDELT_FILES]
    for path in chosen:
        with zipfile.ZipFile(target / f"{path.name}.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.write(path, path.name)
    # and one whose download was cut short, mid-line, so that `weaklink rejects` has a line to explain
    cut = list(by_day.values())[GDELT_FILES]
    data = cut.read_bytes()
    with zipfile.ZipFile(target / f"{cut.name}.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(cut.name, data[:len(data) // 2])


UNGDC_FIRST_SESSION = 70  # the walk's UNGDC archive: sessions 70-79 (2015-2024) of the real one


def _recent_ungdc(shared: Path, target: Path) -> None:
    """The real UNGDC archive cut to its last ten sessions (and its other files), so that the walk's `ingest ungdc`
    takes seconds; the whole archive's ingest is tested in tests/test_ungdc.py."""
    def recent(info: tarfile.TarInfo) -> bool:
        found = re.search(r"/Session (\d+) - ", info.name)
        return not found or int(found.group(1)) >= UNGDC_FIRST_SESSION

    with tarfile.open(shared / "ungdc/UNGDC_1946-2024.tgz", "r|gz") as source, \
            tarfile.open(target, "w:gz", compresslevel=1) as cut:
        for info in source:
            if recent(info):
                cut.addfile(info, source.extractfile(info) if info.isfile() else None)


def _link(source: str):
    def make(shared: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(shared / source)
    return make


def _statements(shared: Path, target: Path) -> None:
    target.mkdir(parents=True)
    for path in sorted(TEXT_DOCS.iterdir()):
        if path.suffix in STATEMENT_SUFFIXES:
            (target / path.name).symlink_to(path)


# README path (the first folder, or the file) -> how to make it in the temporary folder from the real data.
PLACES = {
    "data": lambda shared, target: _gdelt(shared, target / "gdelt"),
    "roll_calls.csv": _link("unvotes/cran-unvotes/roll_calls.csv"),
    "issues.csv": _link("unvotes/cran-unvotes/issues.csv"),
    "unvotes.csv.gz": _link("unvotes/cran-unvotes/unvotes.csv.gz"),
    "statements": _statements,
    "ungdc": _link("ungdc"),
    "UNGDC_1946-2024.tgz": _recent_ungdc,
}
# Paths the README's commands write (outputs), never inputs to map.
WRITTEN = {"prk-rus.csv", "brief.pdf", "brief.html", "brief.md"}
PATH_LIKE = re.compile(r"^[\w.*/-]*(/|\.(csv|gz|zip|tgz|toml|duckdb|CSV|md|txt|pdf|html|json))$|^[\w.*-]+/[\w.*/-]*$")


# ------------------------------------------------------------------------------------------- reading the README
def readme_blocks(kind: str) -> list[str]:
    """The fenced blocks of one kind (console, python) in the README's "Quick start" section."""
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Quick start\n(.*?)(?=^## )", text, re.DOTALL | re.MULTILINE)
    assert section, "README.md has no '## Quick start' section"
    return re.findall(rf"^```{kind}\n(.*?)^```", section.group(1), re.DOTALL | re.MULTILINE)


@dataclass
class Step:
    line: str                      # as written in the README
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    stdout_to: str | None = None   # `> file`


def console_steps() -> list[Step]:
    steps = []
    for block in readme_blocks("console"):
        for raw in block.splitlines():
            if raw.startswith("$ "):
                steps += _steps_of(raw[2:])
    return steps


def _steps_of(command: str) -> list[Step]:
    tokens = shlex.split(command, comments=True)
    parts, current = [], []
    for token in tokens:
        if token == "&&":
            parts.append(current)
            current = []
        else:
            current.append(token)
    parts.append(current)
    return [_step(command, part) for part in parts if part]


def _step(line: str, tokens: list[str]) -> Step:
    if tokens[0] == ".":  # `. .venv/bin/activate`: the test already runs in the environment
        return Step(line)
    if tokens[0] == "export":
        return Step(line, env=dict(t.split("=", 1) for t in tokens[1:]))
    assert tokens[0] == "weaklink", f"README Quick start line not understood by tests/test_readme.py: {line!r}"
    if ">" in tokens:
        at = tokens.index(">")
        return Step(line, argv=tokens[1:at], stdout_to=tokens[at + 1])
    return Step(line, argv=tokens[1:])


def check_mapped(step: Step, folder: Path) -> None:
    """Every input path the README names exists in the temporary folder (mapped or made by an earlier command)."""
    for token in step.argv:
        if token.startswith("-") or not PATH_LIKE.match(token) or token in WRITTEN:
            continue
        if not list(folder.glob(token)) and not (folder / token).exists():
            pytest.fail(f"the README names {token!r} (in `{step.line}`), which tests/test_readme.py does not know: "
                        f"add its first folder or file name to PLACES there, made from ../shared/data or tests/")


# ------------------------------------------------------------------------------------------------ checking output
ZERO = re.compile(r"^[+-]?0+([.,]0+)?%?$")
NUMBER = re.compile(r"^[+-]?[\d,]+(\.\d+)?%?$")


def meaningful(text: str) -> str | None:
    """Why an output is not a meaningful result, or None: empty, 'no rows', or every number in it zero."""
    stripped = text.strip()
    if not stripped:
        return "it printed nothing"
    if re.search(r"\bno rows\b|^\[\]$|^\{\}$", stripped, re.IGNORECASE | re.MULTILINE):
        return "it printed no rows"
    cells = [c.strip() for c in re.split(r"[│|,\s]+", stripped) if c.strip()]
    numbers = [c for c in cells if NUMBER.match(c) and not re.match(r"^\d{4}$", c)]  # years are not results
    if numbers and all(ZERO.match(c) for c in numbers):
        return "every number in it is zero"
    return None


# --------------------------------------------------------------------------------------------------- the walk
@pytest.fixture(scope="module")
def project(tmp_path_factory, shared_data) -> Path:
    """A temporary folder holding what the README's commands name, mapped onto real data."""
    folder = tmp_path_factory.mktemp("readme")
    names = {re.split(r"[/*]", t)[0] for step in console_steps() + _python_paths() for t in step.argv
             if PATH_LIKE.match(t) and t not in WRITTEN}
    for name in sorted(names & set(PLACES)):
        PLACES[name](shared_data, folder / name)
    return folder


def _python_paths() -> list[Step]:
    return [Step("python", argv=re.findall(r"\"([^\"]+)\"", block)) for block in readme_blocks("python")]


def _run(argv: list[str], folder: Path, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=False, capture_output=True, text=True, cwd=folder, env=env, timeout=timeout)


def _fewer_replicates(project: Path, env: dict) -> None:
    """After `weaklink init`: 50 bootstrap replicates (the least allowed) instead of 500 in the project's watch
    file, only to keep the walk quick; every command still runs as written."""
    watch = project / env.get("WEAKLINK_WATCH", "")
    if watch.is_file():
        text = watch.read_text(encoding="utf-8")
        watch.write_text(re.sub(r"(?m)^replicates = 500\b", "replicates = 50", text), encoding="utf-8")


def test_the_quick_start_runs_command_by_command(project, monkeypatch):
    """Each command runs in this process (click's runner: the same entry point, exit code and output as the
    `weaklink` script, without paying the start-up of a new Python process 20 times over)."""
    from click.testing import CliRunner

    from weaklink.cli import main

    monkeypatch.chdir(project)
    for name in [k for k in os.environ if k.startswith("WEAKLINK_")]:
        monkeypatch.delenv(name)
    env = {}
    steps = console_steps()
    assert sum(1 for s in steps if s.argv) >= 10, "the README's Quick start lost its commands"
    timings = []
    for step in steps:
        env.update(step.env)
        _fewer_replicates(project, env)
        if not step.argv:
            continue
        check_mapped(step, project)
        started = time.monotonic()
        proc = CliRunner().invoke(main, step.argv, env=env)
        timings.append(f"{time.monotonic() - started:5.1f} s  weaklink {' '.join(step.argv)}")
        where = f"README: `{step.line}`\nstdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
        assert proc.exit_code == 0 and proc.exception is None, f"{where}\n{proc.exception!r}"
        output = proc.stdout
        if step.stdout_to:
            (project / step.stdout_to).write_text(proc.stdout, encoding="utf-8")
            assert proc.stdout.count("\n") > 1, where
        why = meaningful(output or proc.stderr)
        assert why is None, f"{why}\n{where}"
    print("\n".join(timings))


def test_the_python_snippet_runs(project):
    """After the walk through the console block (same store): the README's Python snippet as written."""
    code = "\n".join(readme_blocks("python"))
    assert "weaklink.connect(" in code
    for step in _python_paths():
        check_mapped(step, project)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEAKLINK_")}
    proc = _run([sys.executable, "-c", code], project, env)
    assert proc.returncode == 0, f"README Python snippet failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    assert meaningful(proc.stdout) is None, proc.stdout
    for name in re.findall(r"write_brief\(\"([^\"]+)\"", code):
        assert (project / name).stat().st_size > 1000


# ---------------------------------------------------------------------------------------------- install with pip
BUNDLED = ["weaklink/data/watch.toml", "weaklink/data/lexicon.toml", "weaklink/data/unsc_dprk.csv",
           "weaklink/data/demo/gdelt-axis-sample.export.CSV.zip", "weaklink/reference/countries.csv",
           "weaklink/reference/cameo_events.csv", "weaklink/report/templates/brief.html.j2"]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """One wheel per session, built offline from a copy of the checkout's package files."""
    copy = tmp_path_factory.mktemp("wheel-src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(CHECKOUT / name, copy / name)
    shutil.copytree(CHECKOUT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    (copy / "src/weaklink/data/demo/.half-written.tmp").write_text("never shipped")
    out = tmp_path_factory.mktemp("wheel")
    proc = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                 "-w", str(out), "."], copy, dict(os.environ), timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return next(out.glob("weaklink-*.whl"))


def test_the_wheel_holds_every_bundled_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    source = CHECKOUT / "src"
    shipped = {str(p.relative_to(source)) for folder in ("weaklink/data", "weaklink/locale", "weaklink/report/templates")
               for p in (source / folder).rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert set(BUNDLED) <= names and shipped <= names, sorted((set(BUNDLED) | shipped) - names)
    assert not [n for n in names if "/." in n or "__pycache__" in n]


def test_weaklink_demo_runs_from_the_installed_wheel(wheel, tmp_path):
    target = tmp_path / "site"
    proc = _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(target),
                 str(wheel)], tmp_path, dict(os.environ), timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    work = tmp_path / "work"
    work.mkdir()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("WEAKLINK_")}, "PYTHONPATH": str(target)}
    where = _run([sys.executable, "-c", "import weaklink; print(weaklink.__file__)"], work, env)
    assert where.stdout.startswith(str(target)), f"the checkout's copy was imported: {where.stdout}{where.stderr}"
    demo = _run([sys.executable, "-m", "weaklink", "demo", "--format", "json"], work, env)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert '"dataset": "gdelt"' in demo.stdout and (work / "weaklink.duckdb").stat().st_size > 0
    series = _run([sys.executable, "-m", "weaklink", "dyads", "CHN", "RUS", "--freq", "year"], work, env)
    assert series.returncode == 0 and meaningful(series.stdout) is None, series.stdout + series.stderr
