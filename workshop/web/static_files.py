"""Static files as a phone gets them: compressed, and kept by its browser.

At start-up each file of `static/` is copied into a cache under a name carrying a hash of its
content (`css/workshop.3f2a9c01b7e4.css`), with its Brotli and gzip forms beside it, made once
by WhiteNoise's compressor. WhiteNoise serves those copies: the smallest form the browser
accepts, with `Cache-Control: immutable` for a year, since a changed file gets a new name.
`url_for('static', ...)` hands out the hashed names, so a page always names the files it was
made with, and every process started from the same files names them alike (behind several
processes any one can serve what another named). The plain names stay served by Flask, asked
again each time (`no-cache` with a validator), for anything that kept an old address.

HTML is not compressed: its pages carry a CSRF token beside text others typed, what BREACH
reads through compression.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path, PurePosixPath

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from workshop.web.security import HEADERS

# Test tools copied beside the shipped scripts: never served to a phone.
NOT_SERVED = {"vendor/axe.min.js"}
KEEP_OLD_COPIES_SECONDS = 7 * 24 * 3600  # another version's processes may still name them


def init_app(app: Flask) -> None:
    cache = static_cache(app.config.get("STATIC_CACHE", ""))
    try:
        names = build(Path(app.static_folder), cache)
    except OSError as error:  # a read-only cache: the plain names, served by Flask
        print(f"Static files served uncompressed: {error}", file=sys.stderr)
        return
    app.extensions["static_names"] = names

    @app.url_defaults
    def hashed_static_name(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in names:
            values["filename"] = names[values["filename"]]

    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=str(cache / "files"),
        prefix=app.static_url_path,
        max_age=None,
        allow_all_origins=False,
        immutable_file_test=lambda path, url: True,  # every copy is named by its content
        add_headers_function=security_headers,
    )


def static_cache(configured: str) -> Path:
    """WORKSHOP_STATIC_CACHE, else `workshop/static` in the user's cache: copies named by
    their content can be shared by every instance and process of this machine."""
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "workshop" / "static"


def hashed_name(name: str, data: bytes) -> str:
    """`css/workshop.css` → `css/workshop.<12 hex digits of its SHA-256>.css`."""
    path = PurePosixPath(name)
    digest = hashlib.sha256(data).hexdigest()[:12]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def build(source: Path, cache: Path) -> dict[str, str]:
    """Copy each served file of `source` into `cache/files` under its hashed name, with its
    `.br` and `.gz` forms where they are smaller; returns {plain name: hashed name}. Files are
    written in `cache/partial` and moved into place whole: another process starting at the
    same moment never sees half a file."""
    compressor = Compressor(quiet=True)
    names = {}
    for path in sorted(source.rglob("*")):
        name = path.relative_to(source).as_posix()
        if not path.is_file() or name in NOT_SERVED or "/." in f"/{name}":
            continue
        data = path.read_bytes()
        names[name] = hashed_name(name, data)
        target = cache / "files" / names[name]
        if not target.exists():
            write_copies(compressor, target, data, cache / "partial")
    remove_old_copies(cache / "files", set(names.values()))
    return names


def write_copies(compressor: Compressor, target: Path, data: bytes, partial: Path) -> None:
    """The compressed forms first and the file itself last: a process that sees the file
    sees its forms too."""
    copies = []
    if compressor.should_compress(target.name):
        brotli = compressor.compress_brotli(data) if compressor.use_brotli else b""
        if brotli and len(brotli) <= 0.95 * len(data):
            copies.append((".br", brotli))
            copies.append((".gz", compressor.compress_gzip(data)))
    for suffix, content in [*copies, ("", data)]:
        write_whole(target.with_name(target.name + suffix), content, partial)


def write_whole(target: Path, content: bytes, partial: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=partial)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)


def remove_old_copies(cache: Path, current: set[str]) -> None:
    """Copies of files that changed, unused for a week (the cache would grow with every
    edit otherwise)."""
    too_old = time.time() - KEEP_OLD_COPIES_SECONDS
    for path in cache.rglob("*"):
        name = path.relative_to(cache).as_posix().removesuffix(".br").removesuffix(".gz")
        if path.is_file() and name not in current and path.stat().st_mtime < too_old:
            path.unlink(missing_ok=True)


def security_headers(headers, path: str, url: str) -> None:
    """The headers every response of the app carries (a script is still a response)."""
    for name, value in HEADERS.items():
        headers[name] = value
