"""Helpers for the browser tests: Debian's Chromium driven by Playwright, kept off the network.

Playwright's own browser builds are never downloaded: the tests launch
``/usr/bin/chromium`` (Debian's ``chromium`` package, which ``make test``
installs) headless, with the flags that stop its background traffic, and a
host resolver that resolves nothing, so a request for any other host fails at
once instead of leaving the machine. Every request the page makes is recorded,
with every console message and uncaught error.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from urllib.parse import urlsplit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OFFLINE_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-breakpad",
    "--no-pings",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def have_chromium() -> bool:
    return shutil.which(CHROMIUM) is not None


def launch(playwright):
    """Headless Debian Chromium with a fresh profile."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=OFFLINE_ARGS)


@dataclass
class Watched:
    """A page with what it asked for and what it complained about."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign(self, host: str = "127.0.0.1") -> list[str]:
        """Requests to any host but ``host`` (data: URLs have none and are kept local)."""
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme != "data" and urlsplit(u).hostname != host
        ]


def watch(context, lang: str = "en") -> Watched:
    """A new page of ``context`` whose requests and console errors are recorded."""
    page = context.new_page()
    w = Watched(page)
    page.on("request", lambda r: w.requests.append(r.url))
    page.on("console", lambda m: w.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.errors.append(str(e)))
    page.on("requestfailed", lambda r: w.errors.append(f"failed: {r.url} {r.failure}"))
    return w


def zone_classes(page) -> dict[str, int]:
    """How many zone hexagons the map draws in each state."""
    return page.evaluate(
        """() => {
        const n = {};
        for (const el of document.querySelectorAll('path.zone')) {
          const st = [...el.classList].find(c => c.startsWith('zone-')).slice(5);
          n[st] = (n[st] || 0) + 1;
        }
        return n;
    }"""
    )


def zone_fill(page, state: str) -> str | None:
    """The fill colour of the first zone drawn in ``state``."""
    return page.evaluate(
        "(s) => { const el = document.querySelector('path.zone-' + s);"
        " return el ? el.getAttribute('fill') : null; }",
        state,
    )
