"""Share links: a facilitator makes a read-only link to one session's results; anyone with it
reads that page, its downloads and its JSON without an account, and nothing else; it stops
working when revoked or expired. Participants and other facilitators cannot reach a session's
results or downloads."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import timedelta

import pytest
from pypdf import PdfReader
from results_support import EXPECTED, HIDDEN_TEXT, NAME, build_reference_session
from room import THRIVE, open_room
from sqlalchemy import select

from workshop import clock
from workshop.extensions import db
from workshop.models import ShareLink
from workshop.results import sharing

FORMATS = ("csv", "xlsx", "json", "pdf")


@pytest.fixture
def room(tmp_path):
    with open_room(tmp_path) as room:
        yield room


@pytest.fixture
def ref(room):
    return build_reference_session(room)


def share(ref, expires_in_days: str = "0", label: str = "Evaluation center") -> str:
    """Press "Create share link" on the results page; returns the link the page shows once."""
    path = f"/facilitator/w/{ref.session.id}/results"
    reply = ref.host.post(path + "/share", {"label": label, "expires_in_days": expires_in_days})
    assert reply.status_code == 302
    page = ref.host.page(path)
    url = re.search(r'value="(http://localhost/shared/[^"]+)"', page).group(1)
    assert url not in ref.host.page(path)  # shown only once
    return url.removeprefix("http://localhost")


def shared_paths(link: str) -> list[str]:
    token = link.removeprefix("/shared/")
    downloads = [f"{link}/download/{fmt}" for fmt in FORMATS]
    return [link, *downloads, f"/api/share/{token}/results"]


def test_a_share_link_opens_the_results_without_an_account(ref):
    link = share(ref)
    reader = ref.room.anonymous()
    page = reader.page(link)
    for position, (title, rank, points, *_) in enumerate(EXPECTED):
        assert f"{rank}. {title}" in page and f"{title}: {points} points" in page, position
    assert "Read-only results shared by the facilitators" in page
    assert "Create share link" not in page and "Back to the console" not in page
    for fmt in FORMATS:
        reply = reader.get(f"{link}/download/{fmt}")
        assert reply.status_code == 200 and reply.headers["Content-Disposition"]
    data = reader.get(link.replace("/shared/", "/api/share/") + "/results").get_json()
    assert data["audience"] == "shared"
    assert [t["title"] for t in data["themes"][:3]] == [e[0] for e in EXPECTED]


def readable(reply) -> str:
    """Everything a download says, whatever its format."""
    if reply.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(reply.data)).pages)
    if reply.data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(reply.data)) as archive:
            return "\n".join(archive.read(name).decode() for name in archive.namelist())
    return reply.get_data(as_text=True)


def test_shared_results_leave_out_names_hidden_responses_and_the_join_code(ref):
    link = share(ref)
    reader = ref.room.anonymous()
    mine = readable(ref.host.get(f"/facilitator/w/{ref.session.id}/results/download/csv"))
    assert NAME in mine and HIDDEN_TEXT in mine  # facilitators' downloads have them
    for path in shared_paths(link):
        reply = reader.get(path)
        text = readable(reply)
        assert "Relationships" in text, path
        for secret in (NAME, HIDDEN_TEXT, ref.session.code, ref.session.token):
            assert secret not in text, (path, secret)
        assert "Set-Cookie" not in reply.headers  # a share link never signs anyone in


def test_a_share_link_reaches_nothing_else(ref, room):
    link = share(ref)
    reader = room.anonymous()
    assert reader.get(link).status_code == 200
    sid = ref.session.id
    for path in (
        f"/facilitator/w/{sid}",
        f"/facilitator/w/{sid}/results",
        f"/facilitator/w/{sid}/results/download/csv",
        f"/facilitator/w/{sid}/board/",
    ):
        reply = reader.get(path)
        assert reply.status_code == 302 and "/auth/login" in reply.headers["Location"], path
    assert reader.get(f"/api/workshops/{sid}/results").status_code == 401
    assert reader.get(f"/w/{ref.session.code}/segment").status_code == 403  # not a participant
    other = room.facilitator().start(THRIVE)
    assert other.id != sid and reader.get(f"/facilitator/w/{other.id}/results").status_code == 302


def test_the_token_is_unguessable_and_only_its_hash_is_stored(ref):
    link = share(ref)
    token = link.removeprefix("/shared/")
    assert len(token) >= 43  # 32 random bytes
    with ref.room.app.app_context():
        (stored,) = db.session.scalars(select(ShareLink)).all()
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in {stored.token_hash, stored.label}
        assert (stored.label, stored.expires_at, stored.revoked_at) == (
            "Evaluation center",
            None,
            None,
        )


def test_a_revoked_link_stops_working_at_once(ref):
    link = share(ref)
    reader = ref.room.anonymous()
    assert reader.get(link).status_code == 200
    with ref.room.app.app_context():
        link_id = db.session.scalar(select(ShareLink.id))
    reply = ref.host.post(f"/facilitator/w/{ref.session.id}/results/share/{link_id}/revoke")
    assert reply.status_code == 302
    page = ref.host.page(f"/facilitator/w/{ref.session.id}/results")
    assert "The share link no longer works." in page and "revoked" in page
    for path in shared_paths(link):
        reply = reader.get(path)
        assert reply.status_code == 404, path
        assert "expired or been revoked" in reply.get_data(as_text=True)


def test_an_expired_link_stops_working(ref, monkeypatch):
    link = share(ref, expires_in_days="7")
    reader = ref.room.anonymous()
    real_now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: real_now + timedelta(days=6, hours=23))
    assert reader.get(link).status_code == 200
    monkeypatch.setattr(clock, "now", lambda: real_now + timedelta(days=7, minutes=1))
    for path in shared_paths(link):
        assert reader.get(path).status_code == 404, path
    assert "expired" in ref.host.page(f"/facilitator/w/{ref.session.id}/results")


def test_unknown_and_malformed_tokens_are_refused(ref):
    share(ref)
    reader = ref.room.anonymous()
    for token in ("x", "A" * 43, "A" * 5000, "%00"):
        assert reader.get(f"/shared/{token}").status_code == 404
        assert reader.get(f"/api/share/{token}/results").status_code == 404


def test_share_pages_keep_the_token_out_of_referers_caches_and_search_engines(ref):
    reply = ref.room.anonymous().get(share(ref))
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert reply.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in reply.headers["Cache-Control"]


def test_a_participant_cannot_reach_facilitator_results_or_downloads(ref):
    phone = ref.phones["ana"]
    sid = ref.session.id
    for path in (f"/facilitator/w/{sid}/results", f"/facilitator/w/{sid}/results/download/csv"):
        reply = phone.get(path)
        assert reply.status_code == 302 and "/auth/login" in reply.headers["Location"]
    assert phone.get(f"/api/workshops/{sid}/results").status_code == 401
    reply = phone.post(f"/facilitator/w/{sid}/results/share", {"expires_in_days": "0"})
    assert reply.status_code == 302 and "/auth/login" in reply.headers["Location"]
    with ref.room.app.app_context():
        assert db.session.scalars(select(ShareLink)).all() == []


def test_another_facilitator_cannot_see_share_or_revoke(ref, room):
    link = share(ref)
    stranger = room.facilitator()
    sid = ref.session.id
    for path in (
        f"/facilitator/w/{sid}/results",
        f"/facilitator/w/{sid}/results/download/pdf",
        f"/api/workshops/{sid}/results",
    ):
        assert stranger.get(path).status_code == 404, path
    assert (
        stranger.post(f"/facilitator/w/{sid}/results/share", {"expires_in_days": "0"}).status_code
        == 404
    )
    assert stranger.post(f"/facilitator/w/{sid}/results/share/1/revoke").status_code == 404
    own = stranger.start()
    reply = stranger.post(f"/facilitator/w/{own.id}/results/share/1/revoke")
    assert reply.status_code == 302  # refused: that link is not of this session
    assert ref.room.anonymous().get(link).status_code == 200


def test_a_co_facilitator_can_share(ref, room):
    co = room.co_facilitator(ref.session)
    assert (
        co.post(
            f"/facilitator/w/{ref.session.id}/results/share", {"expires_in_days": "30"}
        ).status_code
        == 302
    )


def test_the_form_offers_fixed_expiry_periods_only(ref):
    reply = ref.host.post(
        f"/facilitator/w/{ref.session.id}/results/share", {"expires_in_days": "5"}
    )
    assert reply.status_code == 302
    page = ref.host.page(f"/facilitator/w/{ref.session.id}/results")
    assert "Could not create the link: choose one of the offered expiry periods." in page


def test_links_expire_when_the_facilitator_chose():
    from types import SimpleNamespace

    now = clock.now()
    link = SimpleNamespace(revoked_at=None, expires_at=now + timedelta(days=7))
    assert sharing.is_active(link, now + timedelta(days=6))
    assert not sharing.is_active(link, now + timedelta(days=7))
    assert not sharing.is_active(SimpleNamespace(revoked_at=now, expires_at=None), now)


def test_the_links_api_lists_what_a_script_needs_to_show_and_revoke(ref):
    """An integrator signed in as the facilitator gets the join and projector addresses and
    each share link's id, state and revoke address; revoking with that id works."""
    api = f"/api/workshops/{ref.session.id}/links"
    link = share(ref, expires_in_days="7", label="For the evaluators")
    listed = ref.host.get(api).get_json()
    assert listed["join"]["code"] == ref.session.code
    assert listed["join"]["url"] == f"http://localhost/w/{ref.session.code}"
    assert listed["projector"] == {
        "token": ref.session.token,
        "url": f"http://localhost/screen/{ref.session.token}",
    }
    assert ref.room.anonymous().get(listed["projector"]["url"]).status_code == 200
    (entry,) = listed["share_links"]
    assert entry["label"] == "For the evaluators" and entry["active"] is True
    assert entry["expires_at"] is not None and entry["revoked_at"] is None
    assert link.removeprefix("/shared/") not in str(listed)  # tokens are not stored
    assert ref.host.post(entry["revoke_url"]).status_code == 302
    (revoked,) = ref.host.get(api).get_json()["share_links"]
    assert revoked["id"] == entry["id"] and revoked["active"] is False
    assert revoked["revoked_at"] is not None
    assert ref.room.anonymous().get(link).status_code == 404


def test_the_links_api_is_for_the_sessions_facilitators_only(ref, room):
    api = f"/api/workshops/{ref.session.id}/links"
    assert room.anonymous().get(api).status_code == 401
    assert room.facilitator().get(api).status_code == 404
