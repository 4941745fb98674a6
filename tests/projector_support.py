"""A Thrive room built over HTTP for the projector's browser tests: a facilitator who starts
the session and moves it on, phones that join, answer and vote with the plain forms (the
fallback every phone keeps), themes made on the board, a vote opened and closed."""

from __future__ import annotations

import html
import re
import uuid

from browser_support import Visitor

AGENDA = "thrive-srt-retrospective"
PASSWORD = "a long enough password"

# What a table writes: the length and shape of real answers (one idea each, 60-220 characters).
ANSWERS = [
    "Monthly meetings with a clear agenda sent a week ahead made it easy to prepare and bring colleagues.",
    "Breakout groups by sector let smaller organizations speak up; keep them.",
    "The shared contact list helped us find partners in workforce boards we did not know before.",
    "Site visits to manufacturers in Ontario and Fontana grounded the plan in what employers need.",
    "Having the backbone organization take notes and circulate them within two days kept momentum between meetings.",
    "Translation into Spanish at the meetings brought in community groups that had never joined before.",
    "Co-chairs from different counties balanced the agenda between Riverside and San Bernardino.",
    "Short surveys before each meeting told us what people wanted to discuss.",
    "The catalyst funding updates were clear and gave us concrete projects to align with the plan.",
    "Evening sessions made it possible for small business owners to attend after work.",
    "Fewer slide presentations and more time for discussion in small groups, with a report back at the end.",
    "Invite K-12 districts and adult schools: workforce pathways start long before community college.",
    "Publish a one-page summary of decisions after each meeting, in English and Spanish.",
    "Set up working groups per strategy with a lead and a timeline, so that ideas turn into actions.",
    "Rotate meeting locations across the subregion, including the high desert and the Coachella Valley.",
    "Track which organizations attend and reach out to sectors that are missing, such as childcare providers.",
    "Share data dashboards on jobs and wages so we can see whether the plan moves the numbers.",
    "Offer stipends for community members and small nonprofits whose time is not paid for by an employer.",
    "Connect our table with the other subregional tables twice a year to compare what works.",
    "More time to build relationships: a networking half hour before the formal agenda starts.",
]


def realistic_answers(count: int) -> list[str]:
    """`count` distinct answers, each from the list above with a running number."""
    return [f"{ANSWERS[i % len(ANSWERS)]} ({i + 1})" for i in range(count)]


class Room:
    """One running session of the Thrive agenda and the people in it."""

    def __init__(self, base: str, email: str, agenda: str = AGENDA):
        self.base = base
        self.host = Visitor(base)
        self.host.post("/auth/login", "/auth/login", {"email": email, "password": PASSWORD})
        started = self.host.post("/facilitator/", f"/facilitator/agendas/{agenda}/start", {})
        self.console = started.url.removeprefix(base)
        self.code = re.search(r'<strong class="code">(\w+)</strong>', started.text).group(1)
        self.projector = re.search(r'href="(/screen/[^"]+)"', started.text).group(1)
        self.phones: list[Visitor] = []

    def control(self, action: str) -> None:
        self.host.post(self.console, self.console + "/control", {"action": action})

    def screen(self, op: str, shown: bool, prompt_ids: tuple[str, ...] = ()) -> None:
        data = {"op": op, "shown": "1" if shown else "0", "prompt_ids": list(prompt_ids)}
        self.host.post(self.console, self.console + "/screen/", data)

    def join(self, count: int, role: str = "SRT member") -> None:
        for _ in range(count):
            phone = Visitor(self.base)
            phone.post(f"/w/{self.code}", f"/w/{self.code}/join", {"role": role})
            self.phones.append(phone)

    def answer(self, phone: Visitor, prompt_id: str, text: str) -> None:
        data = {"prompt_id": prompt_id, "text": text, "client_id": uuid.uuid4().hex}
        phone.post(f"/w/{self.code}", f"/w/{self.code}/responses", data)

    def answers_to(self, prompt_id: str, texts: list[str]) -> None:
        """Each phone gives at most five answers to a prompt (the agenda's limit)."""
        for index, text in enumerate(texts):
            self.answer(self.phones[(index // 5) % len(self.phones)], prompt_id, text)

    def hide(self, text: str) -> None:
        console = self.host.get(self.console).text
        marker = console.index(str(text))
        response_id = re.findall(r'data-response-id="(\d+)"', console[:marker])[-1]
        path = f"{self.console}/responses/{response_id}/hide"
        self.host.post(self.console, path, {"hidden": "1"})

    def make_themes(self, titles: list[str]) -> None:
        """One theme per title, each holding one answer so its count shows."""
        board = self.console + "/board/"
        answers = re.findall(r"/responses/(\d+)/hide", self.host.get(self.console).text)
        for index, title in enumerate(titles):
            data = {"op": "create", "new_title": title}
            if index < len(answers):
                data["response_ids"] = answers[index]
            self.host.post(board, board, data)

    def name_in_spanish(self, titles: dict[str, str]) -> None:
        """Give themes (by title) a Spanish title on the board, as a facilitator types it."""
        board = self.console + "/board/"
        fields = re.findall(r'name="title-(\d+)" value="([^"]*)"', self.host.get(board).text)
        for theme_id, title in fields:
            title = html.unescape(title)
            if title in titles:
                data = {
                    "op": f"update:{theme_id}",
                    f"title-{theme_id}": title,
                    f"title_es-{theme_id}": titles[title],
                }
                self.host.post(board, board, data)

    def vote(self, op: str, **data) -> None:
        self.host.post(self.console, self.console + "/vote", {"op": op, **data})

    def round_and_candidates(self) -> tuple[str, list[str]]:
        page = self.phones[0].get(f"/w/{self.code}").text
        round_id = re.search(r'name="round_id"[^>]*value="(\d+)"', page).group(1)
        first = page[page.index('name="pick-1"') :]
        first = first[: first.index("</select>")]
        return round_id, re.findall(r'<option value="(\d+)"', first)

    def ballots(self, picks_per_phone: list[list[int]]) -> None:
        """Phone n ranks candidates by index: [[0, 1, 2], ...]."""
        round_id, candidates = self.round_and_candidates()
        for phone, picks in zip(self.phones, picks_per_phone, strict=False):
            data = {f"pick-{n + 1}": candidates[i] for n, i in enumerate(picks)}
            data.update(round_id=round_id, client_id=uuid.uuid4().hex)
            phone.post(f"/w/{self.code}", f"/w/{self.code}/ballot", data)
        self.round_id = round_id
