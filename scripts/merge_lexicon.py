"""Copy src/weaklink/data/lexicon.toml into the bundled watch file, between marker comments (dev helper)."""

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src/weaklink/data"
START, END = "# >>> lexicon (docs/lexicon.md)", "# <<< lexicon"

watch = (DATA / "watch.toml").read_text(encoding="utf-8")
lexicon = (DATA / "lexicon.toml").read_text(encoding="utf-8").strip()
if START in watch:
    watch = watch[: watch.index(START)].rstrip() + watch[watch.index(END) + len(END):]
(DATA / "watch.toml").write_text(f"{watch.rstrip()}\n\n{START}\n{lexicon}\n{END}\n", encoding="utf-8")
print("merged", len(lexicon), "characters")
