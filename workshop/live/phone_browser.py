"""The browser around a simulated phone's page (`phone_page.SimulatedPhone`): its cookies,
its language, its cache, and opening a page the way a browser does: the document, then the
stylesheet and scripts it names, all at once, each revalidated when the server said
`no-cache` and not asked for at all while still fresh."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp

from workshop.live.phone_transport import Trace

ASSET = re.compile(r'<link rel="stylesheet" href="([^"]+)"|<script src="([^"]+)"')
MAX_AGE = re.compile(r"max-age=(\d+)")


@dataclass
class CachedAsset:
    etag: str | None
    modified: str | None
    fresh_until: float


class Browser:
    def __init__(self, base_url: str, lang: str, trace: Trace):
        self.base_url = base_url.rstrip("/")
        self.trace = trace
        # A phone set to Spanish says so in every request, as its browser does.
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Accept-Language": lang}
        )
        self.cache: dict[str, CachedAsset] = {}

    async def open(self, path: str) -> str:
        """Open a page: its HTML, once its stylesheet and scripts are in."""
        self.trace("http", f"GET {path}")
        async with self.http.get(self.base_url + path) as page:
            html = await page.text()
            if page.status != 200:
                raise RuntimeError(f"GET {path}: HTTP {page.status}")
        assets = [a or b for a, b in ASSET.findall(html)]
        await asyncio.gather(*(self._asset(urljoin(path, asset)) for asset in assets))
        return html

    async def post_form(self, path: str, form: dict[str, str]) -> str:
        """Post a form that redirects; returns the path it redirects to."""
        self.trace("http", f"POST {path}")
        url = self.base_url + path
        async with self.http.post(url, data=form, allow_redirects=False) as reply:
            await reply.read()
            if reply.status != 302:
                raise RuntimeError(f"POST {path} refused with HTTP {reply.status}")
            return urlsplit(urljoin(url, reply.headers["Location"])).path

    async def fetch(
        self, path: str, accept: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """A script's `fetch`: GET, or POST `form` when given; no redirect followed."""
        method = "GET" if form is None else "POST"
        self.trace("http", f"{method} {path}")
        url = self.base_url + path
        headers = {"Accept": accept}
        async with self.http.request(
            method, url, data=form, headers=headers, allow_redirects=False
        ) as reply:
            return reply.status, await reply.text()

    async def _asset(self, path: str) -> None:
        cached = self.cache.get(path)
        now = time.monotonic()
        if cached is not None and cached.fresh_until > now:
            return
        headers = {}
        if cached is not None and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached is not None and cached.modified:
            headers["If-Modified-Since"] = cached.modified
        self.trace("http", f"GET {path}")
        async with self.http.get(self.base_url + path, headers=headers) as reply:
            await reply.read()
            if reply.status not in (200, 304):
                return
            control = reply.headers.get("Cache-Control", "")
            age = MAX_AGE.search(control)
            fresh = int(age.group(1)) if age and "no-cache" not in control else 0
            etag = reply.headers.get("ETag") or (cached.etag if cached else None)
            modified = reply.headers.get("Last-Modified") or (cached.modified if cached else None)
            self.cache[path] = CachedAsset(etag, modified, now + fresh)

    async def close(self) -> None:
        await self.http.close()
