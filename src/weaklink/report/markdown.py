"""The briefing as Markdown for pasting, its figures written as PNG files beside it. Every value is escaped:
HTML escaped, Markdown syntax backslash-escaped, one line per value."""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from urllib.parse import quote

from weaklink.fileio import atomic_write_bytes
from weaklink.report import i18n
from weaklink.report.i18n import _, day
from weaklink.report.values import data_language, evidence_line, fmt, plain, shorten
from weaklink.report.words import component_word, kind_word, level_word, status_word

MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()!|~])")  # inline syntax; each value sits mid-line
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,80}")

def md(value) -> str:
    """One value as inline Markdown text: HTML escaped, Markdown syntax backslash-escaped, one line."""
    text = " ".join(fmt(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _figure_name(figure: dict, n: int) -> str:
    """The figure's PNG file name: its id when that is a plain name, else `figure-N` (never a path)."""
    fid = figure.get("id")
    return f"{fid}.png" if isinstance(fid, str) and SAFE_NAME.fullmatch(fid) else f"figure-{n}.png"


def _figure_bytes(figure: dict) -> bytes:
    try:
        return base64.b64decode(figure["png"], validate=True)
    except (binascii.Error, TypeError, ValueError):
        return b""


def _markdown_figures(data: dict, figure_dir: Path) -> list[str]:
    lines = []
    for n, figure in enumerate(data["figures"], start=1):
        name = _figure_name(figure, n)
        png = b"" if figure.get("empty") else _figure_bytes(figure)
        label = _("Figure %(n)s. %(title)s", n=n, title=md(figure["title"]))
        if png:
            atomic_write_bytes(figure_dir / name, png)
            lines += [f"![{label}]({quote(figure_dir.name)}/{quote(name)})", ""]
        sources = ", ".join(md(s) for s in figure["sources"])
        lines += [f"*{label}.* {md(figure['caption'])} " + _("Sources: %(sources)s.", sources=sources), ""]
    return lines


def _md_implications(data: dict) -> list[str]:
    lines = []
    for sc in data["implications"]["triggered"]:
        moved = "; ".join(f"{md(s['question'])} ({md(s['status'])})" for s in sc["signposts"])
        lines += [f"**{md(sc['title'])}** " + _("(%(moved)s of its %(total)s signposts seen or emerging):",
                                                 moved=len(sc["signposts"]), total=sc["total"]) + f" {moved}.", ""]
        lines += [f"- {md(line)}" for line in sc["implications"]] or [
            _("The watch file gives no implication for this scenario.")]
        lines.append("")
    if not data["implications"]["triggered"]:
        lines += [_("No scenario has a signpost seen or emerging."), ""]
    quiet = "; ".join(_("%(title)s (%(measured)s of its %(total)s signposts have data)", title=md(sc["title"]),
                        measured=sc["measured"], total=sc["total"]) for sc in data["implications"]["quiet"])
    quiet = quiet or _("none: every scenario in the watch file has at least one signpost seen or emerging. "
                       "Scenarios share signposts, so more than one can trigger at once.").rstrip(".")
    lines += ["*" + _("Did not trigger") + "* " + _("(no signpost seen or emerging):") + f" {quiet}.", ""]
    return lines


def _md_language_note(data: dict) -> list[str]:
    if data_language(data) == i18n.SOURCE_LANGUAGE:
        return []
    note = _("Quoted text from the data (event descriptions, evidence titles, sources and their addresses) is shown "
             "as recorded, in its own language; codes of the data (signpost ids, indicator and source names) are "
             "kept as they are.")
    if data.get("untranslated"):
        note += " " + _("The watch file gives no translation for %(count)s of its texts (signpost questions, names, "
                        "implications); they are shown in English.", count=len(data["untranslated"]))
    return [f"> {note}", ""]


def _md_main(data: dict, figure_dir: Path) -> list[str]:
    vintage = "; ".join(_("%(dataset)s %(first)s to %(last)s", dataset=md(v["dataset"]), first=md(day(v["first"])),
                          last=md(day(v["last"]))) for v in data["sources"]["vintage"])
    lines = [f"# {md(data['title'])}", "",
             _("weaklink briefing; data as of **%(as_of)s**; period %(since)s to %(until)s. Data vintage: %(vintage)s.",
               as_of=md(day(data["as_of"])), since=md(day(data["window"]["since"])),
               until=md(day(data["window"]["until"])), vintage=vintage), "", *_md_language_note(data),
             "## " + _("Bottom line up front"), "", *[f"- {md(s)}" for s in data["bluf"]], "",
             "*" + _("How to read the numbers.") + "* " + " ".join(md(line) for line in data["legend"]), "",
             "## " + _("What it means for the reader"), ""]
    lines += _md_implications(data) + ["## " + _("Figures"), ""] + _markdown_figures(data, figure_dir)
    lines += ["## " + _("Commitment and centrality"), "",
              "| " + " | ".join([_("member"), _("commitment"), _("95%% interval"), _("chance it is the lowest"),
                                 _("centrality")]) + " |", "|---|---|---|---|---|"]
    lines += [f"| {md(m['actor'])} | {md(m['commitment'])} | {md(m['low'])}–{md(m['high'])} | {md(m['p_weakest'])} | "
              f"{md(m['centrality'])} |" for m in data["weakest"]["members"]]
    lines += ["", md(data["weakest"]["summary"]), "", "## " + _("Signpost board"), "",
              "| " + " | ".join([_("signpost"), _("status"), _("since"), _("what the data show")]) + " |",
              "|---|---|---|---|"]
    lines += [f"| {md(s['question'])} | {md(status_word(s['status']))} | {md(day(s['since']))} | "
              f"{md(shorten(plain(s['detail']), 120))} |" for s in data["signposts"]]
    lines += ["", "## " + _("Competing hypotheses"), "",
              "| " + " | ".join([_("hypothesis"), _("inconsistency (lower leads)"), _("posterior")]) + " |",
              "|---|---|---|"]
    leads = _("(leads)")
    lines += [f"| {'**' if h['id'] in data['ach']['leaders'] else ''}{md(h['id'])} {md(h['title'])}"
              f"{'** ' + leads if h['id'] in data['ach']['leaders'] else ''}: "
              f"{md(data['statements'].get(h['id']) or '')} | {md(h['inconsistency'])} | {md(h['posterior'])} |"
              for h in data["ach"]["hypotheses"]]
    return lines + ["", _("The full matrix is in the appendix."), ""]


def _md_method(data: dict) -> list[str]:
    ach, hypotheses = data["ach"], [h["id"] for h in data["ach"]["hypotheses"]]
    lines = ["## " + _("Method notes"), "", md(data["weakest"]["summary"]), "",
             "| " + " | ".join([_("pair"), _("tie strength"), _("interval"), _("left out")]) + " |", "|---|---|---|---|"]
    lines += [f"| {md(d['dyad'])} | {md(d['tie_strength'])} | {md(d['low'])}–{md(d['high'])} | "
              + md("; ".join(f"{component_word(c)}: {plain(why)}" for c, why in d["missing"].items())) + " |"
              for d in data["weakest"]["components"]]
    lines += ["", "| " + " | ".join([_("evidence"), _("weight"), *map(md, hypotheses), _("basis")]) + " |",
              "|---|---|" + "---|" * len(hypotheses) + "---|"]
    lines += [f"| {md(e['id'])} {md(e['title'])} | {md(e['weight'])} | "
              + " | ".join(md(e["ratings"].get(h)) for h in hypotheses) + f" | {md(plain(e['basis']))} |"
              for e in ach["evidence"]]
    for label, key in ((_("Heuer inconsistency"), "inconsistency"), (_("Posterior"), "posterior")):
        lines.append(f"| **{label}** | | " + " | ".join(md(h[key]) for h in ach["hypotheses"]) + " | |")
    return lines + [""] + [_("- Left out: %(id)s %(title)s: %(reason)s", id=md(e["id"]), title=md(e["title"]),
                              reason=md(plain(e["reason"]))) for e in ach["excluded"]]


def _md_appendix(data: dict) -> list[str]:
    lines = ["## " + _("Appendix"), "", _("Method notes, all the evidence, alerts and events behind the pages above, "
                                          "and the data's provenance. Full provenance: weaklink sources."), ""]
    lines += _md_method(data) + ["", "## " + _("Signpost evidence"), ""]
    for s in data["signposts"]:
        lines += [f"- **{md(s['question'])}** ({md(status_word(s['status']))}): {md(plain(s['detail']))}"]
        lines += [f"  - {md(evidence_line(e))}" for e in s["evidence"]]
    lines += ["", "## " + _("Change alerts and the events behind them"), ""]
    lines += [f"- {md(a['period'])}: {md(plain(a['explanation']))}" for a in data["alerts"]] or [
        _("No change point or anomaly on the watched pairs in this window.")]
    lines += ["", "## " + _("Curated events in the period"), ""]
    lines += [f"- {md(day(t['date']))} {md(kind_word(t['kind']))} ({md(plain(t['actors']))}, "
              f"{md(level_word(t['level']))}): {md(t['description'])} "
              + _("Sources: %(sources)s", sources=md(t["sources"])) for t in data["timeline"]] or [
        _("No curated entry in this window.")]
    lines += ["", "## " + _("Sources and provenance"), ""]
    lines += [f"- {md(f['dataset'])}: " + _("%(file)s (sha256 %(short)s, %(rows)s rows, ingested %(day)s)",
                                            file=md(f["file"]), short=md(f["short"]), rows=md(format(f["rows"], ",")),
                                            day=md(day(f["ingested"]))) for f in data["sources"]["files"]]
    lines += ["", _("Full paths, hashes and counts: weaklink sources."), ""]
    return lines + [*[f"- **{md(d)}**: {md(c)}" for d, c in data["sources"]["citations"].items()], ""]


def to_markdown(data: dict, figure_dir: Path) -> str:
    """Markdown for pasting, with the HTML's sections; figures are written as PNG files into `figure_dir`.
    Every value is escaped."""
    figure_dir.mkdir(parents=True, exist_ok=True)
    with i18n.using(data_language(data)):
        return "\n".join(_md_main(data, figure_dir) + _md_appendix(data))

