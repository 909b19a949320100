"""Read a document file (.txt, .md, .html, .pdf) into text plus metadata, and check the metadata.

Metadata comes, lowest priority first, from: what the format itself carries (HTML meta tags, PDF
info), YAML front matter (.txt/.md), a sidecar file (`NAME.meta.yaml` or `NAME.EXT.yaml` beside it),
and values given on the command line or in the API call.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from weaklink.errors import SourceFileError, UnknownCountry
from weaklink.reference import countries

FORMATS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
           ".pdf": "pdf"}
FIELDS = ("date", "issuers", "parties", "title", "kind", "language", "source_url")
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)


@dataclass
class DocumentRecord:
    path: Path
    format: str
    text: str
    date: date
    issuers: list[str]
    parties: list[str] = field(default_factory=list)
    title: str | None = None
    kind: str | None = None
    language: str | None = None
    source_url: str | None = None


def _front_matter(text: str) -> tuple[dict, str]:
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1)) or {}, text[match.end():]


def _html(data: bytes) -> tuple[dict, str]:
    import trafilatura

    page = data.decode("utf-8", errors="replace")
    text = trafilatura.extract(page, include_comments=False, include_tables=False, favor_recall=True) or ""
    meta = trafilatura.extract_metadata(page)
    found = {"title": meta.title, "date": meta.date, "source_url": meta.url} if meta else {}
    return {k: v for k, v in found.items() if v}, text


def _pdf(path: Path) -> tuple[dict, str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, OSError) as exc:
        raise SourceFileError(f"{path}: not a readable PDF ({exc})") from exc
    title = (reader.metadata or {}).get("/Title") if reader.metadata else None
    return ({"title": str(title)} if title else {}), text


def _sidecar(path: Path) -> dict:
    for candidate in (path.with_name(path.stem + ".meta.yaml"), path.with_name(path.name + ".yaml")):
        if candidate.exists():
            try:
                return yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise SourceFileError(f"{candidate}: not valid YAML ({exc})") from exc
    return {}


def _content(path: Path, fmt: str) -> tuple[dict, str]:
    if fmt == "pdf":
        return _pdf(path)
    data = path.read_bytes()
    if fmt == "html":
        return _html(data)
    try:
        return _front_matter(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceFileError(f"{path}: not UTF-8 text ({exc})") from exc
    except yaml.YAMLError as exc:
        raise SourceFileError(f"{path}: the front matter is not valid YAML ({exc})") from exc


def _states(value, field_name: str, path: Path) -> list[str]:
    items = value if isinstance(value, list) else re.split(r"[;,]", str(value or ""))
    codes = []
    for item in (str(i).strip() for i in items if str(i).strip()):
        try:
            codes.append(countries.by_iso3(item.upper()).iso3 if len(item) == 3 else countries.resolve(item).iso3)
        except UnknownCountry:
            raise SourceFileError(f"{path}: {field_name}: {item!r} is not a state weaklink knows "
                                  "(use ISO3 codes such as CHN, PRK, RUS)") from None
    return codes


def _date(value, path: Path) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise SourceFileError(f"{path}: date {value!r} is not a date (YYYY-MM-DD)") from None


def read_document(path: Path, given: dict | None = None) -> DocumentRecord:
    """Text and metadata of one document; a missing date or issuer is an error naming the field."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SourceFileError(f"{path}: unsupported document type {path.suffix!r} (use {', '.join(FORMATS)})")
    found, text = _content(path, fmt)
    meta = {**{k: v for k, v in found.items() if k in FIELDS or k == "issuer"}, **_sidecar(path),
            **{k: v for k, v in (given or {}).items() if v}}
    meta.setdefault("issuers", meta.pop("issuer", None))
    for required, flag in (("date", "--date"), ("issuers", "--issuer")):
        if not meta.get(required):
            raise SourceFileError(f"{path}: missing {required}: give it in front matter, a sidecar "
                                  f"{path.stem}.meta.yaml, or {flag}")
    if not text.strip():
        raise SourceFileError(f"{path}: no text could be extracted")
    return DocumentRecord(
        path=path, format=fmt, text=text.strip(), date=_date(meta["date"], path),
        issuers=_states(meta["issuers"], "issuers", path), parties=_states(meta.get("parties"), "parties", path),
        title=meta.get("title"), kind=meta.get("kind"), source_url=meta.get("source_url"),
        language=meta.get("language") or detect_language(text))


SCRIPTS = [("ko", re.compile(r"[\uac00-\ud7af]")), ("ja", re.compile(r"[\u3040-\u30ff]")),
           ("zh", re.compile(r"[\u4e00-\u9fff]")), ("ru", re.compile(r"[\u0400-\u04ff]")),
           ("en", re.compile(r"[A-Za-z]"))]


def detect_language(text: str) -> str:
    """By script: Hangul -> ko, kana -> ja, Han -> zh, Cyrillic -> ru, Latin -> en; 'und' otherwise.

    Japanese mixes kana and Han, so any notable share of kana means Japanese.
    """
    sample = text[:20000]
    counts = {lang: len(pattern.findall(sample)) for lang, pattern in SCRIPTS}
    letters = sum(counts.values())
    if not letters:
        return "und"
    if counts["ko"] / letters > 0.2:
        return "ko"
    if counts["ja"] / letters > 0.05:
        return "ja"
    return max(("zh", "ru", "en"), key=lambda lang: counts[lang])


def text_fingerprint(text: str) -> str:
    """sha256 of the words only (case, accents, markup and spacing ignored): equal for near-duplicates."""
    plain = unicodedata.normalize("NFKC", text).lower()
    return hashlib.sha256(" ".join(re.findall(r"\w+", plain)).encode()).hexdigest()
