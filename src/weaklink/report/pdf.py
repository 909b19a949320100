"""Print HTML to PDF with headless chromium, isolated from the page it prints.

The page is built from data weaklink does not control (GDELT source URLs, timeline rows, document titles,
file names), so the browser that prints it is locked down:
- **No scripts.** Chromium starts with `--blink-settings=scriptEnabled=false`, script execution is switched
  off for the page before it loads (DevTools `Emulation.setScriptExecutionDisabled`), and the briefing itself
  carries a Content-Security-Policy that forbids scripts. (Chromium's own `--print-to-pdf` cannot be used:
  headless chromium silently prints nothing when scripts are off, so it is driven over the DevTools protocol
  on a pipe, `--remote-debugging-pipe`, instead; that also hands the PDF back as bytes, written atomically.)
- **No network.** Every request the page makes is intercepted (DevTools `Fetch` domain): only the page's own
  file is served, anything else fails. Behind that, chromium's proxy is a closed local port and every host
  name resolves to nothing, and background networking (updates, sync, metrics) is off.
- **Sandbox on** where the platform allows it. Chromium refuses to start its sandbox as root, so only when
  running as root (e.g. in a container) is `--no-sandbox` added.
- **A fresh profile** in a temporary folder (also chromium's TMPDIR and HOME), always removed afterwards.
- **A hard time limit** (`WEAKLINK_PDF_TIMEOUT`, default 60 s) for the whole print. Chromium runs in its own
  process group; at the limit, or on any failure, the whole group is killed, and a `PdfError` says what
  happened. The output is written atomically: a failed print leaves the previous PDF as it was.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import html as html_lib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from weaklink.errors import InvalidArgument, WeaklinkError
from weaklink.fileio import atomic_write_bytes

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
PROFILE_PREFIX = "weaklink-pdf-"  # the temporary folder holding the page, the profile and chromium's temp files
TIMEOUT_ENV = "WEAKLINK_PDF_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 3600.0
PRINT_OPTIONS = {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False}
# Header and footer in the page margins: the title, the data's as-of date and "page N of M" (chromium fills the
# pageNumber/totalPages spans itself). Every value put in them is escaped.
_MARGIN_STYLE = ("font-family: 'DejaVu Serif', Georgia, 'Noto Sans CJK KR', serif; font-size: 7pt; color: #444; width: 100%; "
                 "margin: 0 14mm; display: flex; justify-content: space-between;")


def header_footer(title: str | None, as_of: str | None, lang: str = "en") -> dict:
    """Page.printToPDF options for a header with `title` and a footer with `as_of` and the page number, in
    `lang` (the as-of date written as that language writes dates)."""
    from weaklink.report.i18n import _, day, using

    with using(lang):
        title_html = html_lib.escape(" ".join(str(title or "").split())[:160], quote=True)
        as_of_html = html_lib.escape(_("Data as of %(day)s", day=day(as_of)), quote=True) if as_of else ""
        page = html_lib.escape(_("Page %(page)s of %(pages)s", page="\0", pages="\1"), quote=True)
    numbers = page.replace("\0", '<span class="pageNumber"></span>').replace("\1", '<span class="totalPages"></span>')
    return {"displayHeaderFooter": True,
            "headerTemplate": f'<div style="{_MARGIN_STYLE}"><span>{title_html}</span></div>',
            "footerTemplate": f'<div style="{_MARGIN_STYLE}"><span>{as_of_html}</span><span>{numbers}</span></div>'}
ISOLATION_FLAGS = (
    "--headless", "--disable-gpu", "--remote-debugging-pipe", "--blink-settings=scriptEnabled=false",
    "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-default-apps",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-breakpad",
    "--disable-domain-reliability", "--disable-crash-reporter", "--disable-client-side-phishing-detection", "--metrics-recording-only",
    "--mute-audio", "--deny-permission-prompts",
    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND",
)
# Child side of the DevTools pipe: chromium reads commands on fd 3 and writes replies on fd 4.
_TRAMPOLINE = ("import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); os.dup2(r, 3); os.dup2(w, 4); "
               "os.close(r); os.close(w); os.execv(sys.argv[3], sys.argv[3:])")


class PdfError(WeaklinkError):
    """Chromium is missing, failed, or ran over its time limit while printing the PDF."""


class _Timeout(Exception):
    pass


def find_chromium() -> str:
    for name in CHROMIUM:
        if shutil.which(name):
            return shutil.which(name)
    raise PdfError("PDF needs headless chromium: install it (Debian: apt-get install chromium), "
                   "or write HTML or Markdown instead")


def timeout_seconds() -> float:
    """The time limit for one PDF, from WEAKLINK_PDF_TIMEOUT (seconds) or the default."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= MAX_TIMEOUT:
        raise InvalidArgument(f"{TIMEOUT_ENV}={raw!r} is not a number of seconds between 0 and {MAX_TIMEOUT:g}; "
                              f"unset it for the default ({DEFAULT_TIMEOUT:g} s)")
    return value


def chromium_command(binary: str, folder: Path) -> list[str]:
    command = [binary, *ISOLATION_FLAGS, f"--user-data-dir={folder / 'profile'}"]
    if os.geteuid() == 0:
        command.append("--no-sandbox")  # chromium will not start as root with its sandbox: only then go without
    return [*command, "about:blank"]


def _high_fd(fd: int) -> int:
    """Move a pipe end to fd 10 or above, so the child's dup2 onto fds 3 and 4 cannot clobber it."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class _Browser:
    """One chromium process group and the DevTools pipe to it; every wait is bounded by `deadline`."""

    def __init__(self, binary: str, folder: Path, deadline: float) -> None:
        self.deadline, self.next_id, self.buffer, self.events = deadline, 0, bytearray(), set()
        self.page_url = ""
        child_in, self.to_child = map(_high_fd, os.pipe())
        self.from_child, child_out = map(_high_fd, os.pipe())
        os.set_blocking(self.to_child, False)
        env = {**os.environ, "TMPDIR": str(folder), "HOME": str(folder), "XDG_CONFIG_HOME": str(folder),
               "XDG_CACHE_HOME": str(folder)}
        self.stderr_path = folder / "chromium.log"
        try:
            with open(self.stderr_path, "wb") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-I", "-c", _TRAMPOLINE, str(child_in), str(child_out),
                     *chromium_command(binary, folder)],
                    pass_fds=(child_in, child_out), stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                    start_new_session=True)
        except OSError as exc:
            for fd in (self.to_child, self.from_child):
                os.close(fd)
            raise PdfError(f"chromium could not be started: {exc}") from exc
        finally:
            os.close(child_in)
            os.close(child_out)

    def _remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _Timeout
        return left

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            if not select.select([], [self.to_child], [], self._remaining())[1]:
                raise _Timeout
            data = data[os.write(self.to_child, data):]
        return self.next_id

    def _receive(self) -> dict:
        while (end := self.buffer.find(b"\0")) < 0:
            if not select.select([self.from_child], [], [], self._remaining())[0]:
                raise _Timeout
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise PdfError(f"chromium stopped before printing the PDF: {self.log_tail()}")
            self.buffer += chunk
        message = json.loads(self.buffer[:end])
        del self.buffer[:end + 1]
        return message

    def _on_event(self, message: dict) -> None:
        method, params, session = message.get("method"), message.get("params", {}), message.get("sessionId")
        self.events.add(method)
        if method == "Fetch.requestPaused":  # the page's own file only; every other request fails
            allowed = params["request"]["url"].split("#")[0] == self.page_url
            self._send("Fetch.continueRequest" if allowed else "Fetch.failRequest",
                       {"requestId": params["requestId"], **({} if allowed else {"errorReason": "Aborted"})},
                       session)
        elif method == "Page.javascriptDialogOpening":  # cannot happen with scripts off; never wait on one
            self._send("Page.handleJavaScriptDialog", {"accept": False}, session)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        sent = self._send(method, params, session)
        while True:
            message = self._receive()
            if message.get("id") == sent:
                if "error" in message:
                    raise PdfError(f"chromium refused {method}: {message['error'].get('message')}")
                return message.get("result", {})
            if "method" in message:
                self._on_event(message)

    def wait_for(self, event: str) -> None:
        while event not in self.events:
            message = self._receive()
            if "method" in message:
                self._on_event(message)

    def print_page(self, url: str, options: dict | None = None) -> bytes:
        self.page_url = url
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Emulation.setScriptExecutionDisabled", {"value": True}, session)
        self.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session)
        self.call("Page.enable", {}, session)
        self.events.clear()
        navigated = self.call("Page.navigate", {"url": url}, session)
        if navigated.get("errorText"):
            raise PdfError(f"chromium could not open the page to print: {navigated['errorText']}")
        self.wait_for("Page.loadEventFired")
        return base64.b64decode(self.call("Page.printToPDF", {**PRINT_OPTIONS, **(options or {})}, session)["data"])

    def log_tail(self) -> str:
        lines = self.stderr_path.read_text(errors="replace").splitlines()
        useful = [line for line in lines if "ERROR" in line or "FATAL" in line or "error" in line]
        return (" / ".join(useful[-3:]) or "no message")[-400:]

    def stop(self) -> None:
        """Close chromium, then kill whatever is left of its process group, and wait for the main process."""
        try:
            self._send("Browser.close")
            self.process.wait(timeout=min(3.0, max(self.deadline - time.monotonic(), 0.1)))
        except (_Timeout, subprocess.TimeoutExpired, OSError):
            pass
        _kill_group(self.process)
        os.close(self.to_child)
        os.close(self.from_child)


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL chromium's whole process group, reap the main process, and wait (≤ 1 s) for the rest to go."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for _ in range(50):
        if not _group_alive(process.pid):
            return
        time.sleep(0.02)


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs (zombies left to an init that does not reap them do not)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] not in "ZX":
                return True
    return False


def _short_temp_parent() -> str:
    """The usual temporary folder, or /tmp when that one's path is too long for the Unix socket chromium makes
    in its TMPDIR (a socket path has at most 107 bytes; chromium adds ~46 to our folder's ~22)."""
    parent = tempfile.gettempdir()
    return "/tmp" if len(parent) > 36 and os.access("/tmp", os.W_OK) else parent


@contextlib.contextmanager
def _profile_folder():
    """A fresh temporary folder for chromium, always removed afterwards: a helper that outlived the killed group
    (a crash reporter writing its report) gets a few tries' time before the last, error-raising removal."""
    folder = Path(tempfile.mkdtemp(prefix=PROFILE_PREFIX, dir=_short_temp_parent()))
    try:
        yield folder
    finally:
        for _ in range(20):
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                break
            time.sleep(0.1)
        if folder.exists():
            shutil.rmtree(folder)


def print_pdf(html: str, timeout: float | None = None, *, title: str | None = None, as_of: str | None = None,
              lang: str = "en") -> bytes:
    """The PDF bytes of `html`, printed by an isolated headless chromium within `timeout` seconds; with `title`
    or `as_of`, every page gets a header (the title) and a footer (the as-of date and the page number)."""
    limit = timeout_seconds() if timeout is None else timeout
    binary = find_chromium()
    with _profile_folder() as folder:
        page = folder / "page.html"
        page.write_text(html, encoding="utf-8")
        browser = _Browser(binary, folder, time.monotonic() + limit)
        try:
            data = browser.print_page(page.as_uri(), header_footer(title, as_of, lang) if title or as_of else None)
        except _Timeout:
            raise PdfError(f"chromium did not print the PDF within {limit:g} s and was stopped; set "
                           f"{TIMEOUT_ENV}=SECONDS for a longer limit, or write HTML or Markdown instead") from None
        finally:
            browser.stop()
    if not data.startswith(b"%PDF"):
        raise PdfError("chromium returned something that is not a PDF")
    return data


def html_to_pdf(html: str, out: Path, timeout: float | None = None, *, title: str | None = None,
                as_of: str | None = None, lang: str = "en") -> Path:
    """Print `html` to the PDF file `out` (written atomically: a failure leaves a previous `out` as it was)."""
    return atomic_write_bytes(out, print_pdf(html, timeout, title=title, as_of=as_of, lang=lang))
