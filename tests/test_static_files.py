"""Static files go out compressed and are kept by browsers: each page names its stylesheet and
scripts by a hash of their content, served in the smallest form the browser accepts and
cacheable for a year (a changed file is a new name, so nobody keeps a stale one). Every
process started from the same files names them alike."""

from __future__ import annotations

import gzip
import hashlib
import re

import brotli
import pytest
from conftest import make_app

from workshop.config import PROJECT_ROOT
from workshop.web import static_files

STATIC = PROJECT_ROOT / "static"


def named(client, page: str) -> dict[str, str]:
    """{plain name: the address a page gives it} for the page's stylesheet and scripts."""
    html = client.get(page).get_data(as_text=True)
    addresses = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    return {re.sub(r"\.[0-9a-f]{12}\.", ".", a.removeprefix("/static/")): a for a in addresses}


def test_pages_name_static_files_by_their_content(client):
    addresses = named(client, "/")
    assert "css/workshop.css" in addresses
    for name, address in addresses.items():
        digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
        assert address == f"/static/{name.rsplit('.', 1)[0]}.{digest}.{name.rsplit('.', 1)[1]}"


@pytest.mark.parametrize(
    ("accepts", "encoding", "decode"),
    [("br, gzip", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress), ("", None, None)],
)
def test_static_files_are_compressed_for_browsers_that_accept_it(client, accepts, encoding, decode):
    address = named(client, "/")["css/workshop.css"]
    with client.get(address, headers={"Accept-Encoding": accepts}) as reply:
        body = reply.get_data()
    original = (STATIC / "css/workshop.css").read_bytes()
    assert reply.status_code == 200 and reply.headers.get("Content-Encoding") == encoding
    assert (decode(body) if decode else body) == original
    if encoding:
        assert len(body) < len(original) / 2
    assert "Accept-Encoding" in reply.headers["Vary"]
    assert reply.headers["Content-Type"].startswith("text/css")
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_are_kept_for_a_year_and_revalidated_by_their_validator(client):
    address = named(client, "/")["css/workshop.css"]
    with client.get(address, headers={"Accept-Encoding": "br"}) as reply:
        cache = reply.headers["Cache-Control"]
    assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= 31536000
    again = client.get(address, headers={"If-None-Match": reply.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_changed_file_gets_a_new_name_and_the_old_one_stays_served(tmp_path):
    source, cache = tmp_path / "static", tmp_path / "cache"
    (source / "js").mkdir(parents=True)
    (source / "js" / "page.js").write_text("var answer = 1;\n" * 200)
    first = static_files.build(source, cache)["js/page.js"]
    (source / "js" / "page.js").write_text("var answer = 2;\n" * 200)
    second = static_files.build(source, cache)["js/page.js"]
    assert first != second and re.fullmatch(r"js/page\.[0-9a-f]{12}\.js", second)
    for name in (first, second):  # a page made before the change still finds its script
        assert (cache / "files" / name).exists() and (cache / "files" / f"{name}.br").exists()
    assert brotli.decompress((cache / "files" / f"{second}.br").read_bytes()).startswith(
        b"var answer = 2;"
    )


def test_every_process_names_the_files_alike_and_serves_what_another_named(tmp_path):
    one = make_app(tmp_path / "one", STATIC_CACHE=str(tmp_path / "cache-one"))
    other = make_app(tmp_path / "other", STATIC_CACHE=str(tmp_path / "cache-other"))
    addresses = named(one.test_client(), "/")
    assert addresses == named(other.test_client(), "/")
    for address in addresses.values():
        with other.test_client().get(address) as reply:
            assert reply.status_code == 200


def test_plain_names_are_still_served_and_revalidated(client):
    with client.get("/static/css/workshop.css") as reply:
        reply.get_data()
    assert reply.status_code == 200 and "no-cache" in reply.headers["Cache-Control"]
    assert reply.headers.get("ETag")


def test_test_tools_are_not_copied_for_phones(tmp_path):
    (tmp_path / "static" / "vendor").mkdir(parents=True)
    (tmp_path / "static" / "vendor" / "axe.min.js").write_text("window.axe = {};")
    assert static_files.build(tmp_path / "static", tmp_path / "cache") == {}
