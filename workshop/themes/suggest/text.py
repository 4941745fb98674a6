"""Clean-up of short phone-typed responses before they are embedded or labelled.

Plain functions over strings: collapse emphasis ("!!"), expand chat shorthand ("ppl", "w/") and
the acronyms of California regional economic-development work ("SRT", "CBOs", "ECE"), fix a
few classic misspellings, and tell Spanish responses and content-free ones ("??", "ok") apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Expanded in any case: chat shorthand and misspellings nobody means on purpose.
SHORTHAND = {
    "ppl": "people",
    "mtg": "meeting",
    "mtgs": "meetings",
    "pls": "please",
    "plz": "please",
    "biz": "business",
    "bizs": "businesses",
    "collab": "collaboration",
    "collabs": "collaborations",
    "esp": "especially",
    "govt": "government",
    "org": "organization",
    "orgs": "organizations",
    "dept": "department",
    "w/": "with",
    "w/o": "without",
    "bc": "because",
    "b/c": "because",
    "thru": "through",
    "yr": "year",
    "yrs": "years",
    "lol": "",
    "imo": "",
    "tbh": "",
    "fyi": "",
    "alot": "a lot",
    "definately": "definitely",
    "seperate": "separate",
    "recieve": "receive",
    "goverment": "government",
    "enviroment": "environment",
    "buisness": "business",
    "bussiness": "business",
    "busness": "business",
    "busineses": "businesses",
    "oppurtunity": "opportunity",
    "oppurtunities": "opportunities",
    "comunity": "community",
    "accesible": "accessible",
    "couldnt": "could not",
    "dont": "do not",
    "didnt": "did not",
    "doesnt": "does not",
    "isnt": "is not",
    "wasnt": "was not",
    "arent": "are not",
    "wouldnt": "would not",
    "$": "money",
    "$$": "money",
    "$$$": "money",
    "&": "and",
    "+": "and",
}
# Domain acronyms; those in AMBIGUOUS only when typed in capitals ("REP", not "sales rep").
ACRONYMS = {
    "srt": "subregional table",
    "srts": "subregional tables",
    "rep": "regional economic plan",
    "cjf": "California Jobs First",
    "cerf": "community economic resilience fund",
    "hrtp": "high road training partnership",
    "cbo": "community-based organization",
    "cbos": "community-based organizations",
    "ta": "technical assistance",
    "ece": "early childhood education",
    "cte": "career technical education",
    "cc": "community college",
    "ccs": "community colleges",
    "cna": "certified nursing assistant",
    "lvn": "licensed vocational nurse",
    "rn": "registered nurse",
    "rns": "registered nurses",
    "kpi": "key performance indicator",
    "kpis": "key performance indicators",
    "mou": "memorandum of understanding",
    "sbdc": "small business development center",
    "cdfi": "community development lender",
    "wdb": "workforce development board",
    "hvac": "heating and air conditioning",
    "ev": "electric vehicle",
    "evs": "electric vehicles",
    "zev": "zero emission vehicle",
    "ie": "Inland Empire",
    "ai": "artificial intelligence",
    "esl": "English classes",
    "adu": "accessory dwelling unit",
    "adus": "accessory dwelling units",
    "roi": "return on investment",
    "dei": "diversity, equity and inclusion",
}
AMBIGUOUS = _set("rep ta cc rn ev ie ai esl roi dei ece")
FILLER = _set(
    "ok okay k kk lol yes no yeah yep nope na n/a none nothing idk same test testing asdf good "
    "fine great nice sure thanks thank you pass nada si sí sé nose ninguno ninguna igual bien "
    "gracias"
)
STOP_EN = _set("""a about above after again all also am an and any are as at be because been before being
    between both but by can could did do does doing down during each even every few for from
    further get gets got had has have having he her here hers him his how i if in into is it its
    just kind like lot made make many me more most much my need needs no nor not now of off on
    once one only or other our ours out over own really same she should so some still such than
    that the their them then there these they thing things this those through to too under
    until up us very was we were what when where which while who why will with would you your
    yours please lets let want better keep way ways sure""")
STOP_ES = _set("""a al algo algunas algunos ante antes como con contra cual cuando de del desde donde
    durante e el ella ellas ellos en entre era es esa ese eso esta estas este esto estos fue ha
    hay la las le les lo los mas más me mi mucho muy nada ni no nos o otra otro para pero poco
    por porque que qué quien se sea ser si sí sin sobre su sus también tan te tengan todo todos
    tu un una uno unos y ya yo mejor""")
_SPANISH_HINTS = _set("""de la que el en los las del se por con para una un su al lo como más mas pero sus ya
    este esta entre cuando muy sin sobre también hasta hay donde desde todo nos todos les ni
    esto estos mucho muchos poco nosotros mejor sea son y es tengan""")
_ENGLISH_HINTS = _set(
    "the and to of a in for is on that with are be at this it as we more our not from by have "
    "was an or"
)
_STOP = STOP_EN | STOP_ES
_TOKEN = re.compile(r"\${1,3}|[^\W_][\w'’/-]*|[&+]")
_WORD = re.compile(r"[^\W\d_]+")
_DEFINITION = re.compile(r"([\w\s-]{3,120}?)\s*\(([A-Z]{2,6})s?\)")


def normalize(text: str, glossary: dict[str, str] | None = None, acronyms: bool = True) -> str:
    """`text` with emphasis collapsed and shorthand, common typos and (unless `acronyms` is
    false, as for labels) acronyms spelled out."""
    text = unicodedata.normalize("NFC", text or "").strip()
    text = re.sub(r"([!?.¡¿])\1+", r"\1", text)
    text = _TOKEN.sub(lambda match: _expand(match.group(0), glossary or {}, acronyms), text)
    return re.sub(r"\s+", " ", text).strip()


def _expand(word: str, glossary: dict[str, str], acronyms: bool = True) -> str:
    key = word.lower().rstrip("'’")
    capitals = word.isupper() or (len(word) > 2 and word[:-1].isupper() and word[-1] == "s")
    if key in SHORTHAND:
        return SHORTHAND[key]
    if not acronyms:
        return word
    if key in glossary and capitals and key not in ACRONYMS:
        return glossary[key]
    if key in ACRONYMS and (capitals or key not in AMBIGUOUS):
        return ACRONYMS[key]
    return word


def glossary_from(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms a plan defines itself, as in "Regional Economic Plan (REP)"."""
    found: dict[str, str] = {}
    for text in texts:
        for before, acronym in _DEFINITION.findall(text or ""):
            tail = before.split()[-len(acronym) :]
            if "".join(w[0] for w in tail).lower() == acronym.lower():
                found.setdefault(acronym.lower(), " ".join(tail))
    return found


def words(text: str) -> list[str]:
    """Lower-case words (letters only), accents kept."""
    return _WORD.findall(text.lower())


def is_spanish(text: str) -> bool:
    """A cheap guess from function words and accents; good enough for one-line answers."""
    tokens = words(text)
    if not tokens:
        return False
    accents = sum(bool(re.search("[áéíóúñ]", token)) for token in tokens)
    spanish = sum(token in _SPANISH_HINTS for token in tokens) + 2 * accents
    spanish += 2 * bool(re.search("[¿¡]", text))
    english = sum(token in _ENGLISH_HINTS for token in tokens)
    return spanish >= 2 and spanish > 1.5 * english


def is_empty(text: str) -> bool:
    """True for answers with nothing to group on: "??", "ok", "n/a", "idk"."""
    tokens = [t for t in re.findall(r"[\w/]+", text.lower()) if any(c.isalnum() for c in t)]
    content = [t for t in tokens if t not in FILLER]
    return not content or all(len(t) < 2 or t.isdigit() for t in content)


def content_words(text: str) -> list[tuple[str, str, int]]:
    """Words worth putting in a label, as (lower case, as typed, position among all words):
    no stop words (English or Spanish), three letters or more."""
    found = [(w.lower(), w, i) for i, w in enumerate(_WORD.findall(text))]
    return [(w, typed, i) for w, typed, i in found if len(w) > 2 and w not in _STOP]


def correct_spelling(texts: list[str], known: frozenset[str]) -> list[str]:
    """Fix one-letter slips ("Meetigns", "buisness") towards words the session or model knows.

    A word is only changed when it is unknown, at least five letters long, and one edit away
    from a known word; words other responses in the session use are preferred."""
    counts = Counter(w for text in texts for w in words(text))
    session = frozenset(w for w, n in counts.items() if n >= 2)
    fixes: dict[str, str] = {}
    for word in sorted(counts):
        if len(word) >= 5 and word not in known and word not in session and word.isascii():
            fix = _best_edit(word, session, known)
            if fix:
                fixes[word] = fix
    if not fixes:
        return list(texts)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(fixes))) + r")\b", re.I)
    return [pattern.sub(lambda m: fixes[m.group(0).lower()], text) for text in texts]


def _best_edit(word: str, session: frozenset[str], known: frozenset[str]) -> str | None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    deletes = [a + b[1:] for a, b in splits if b]
    inserts = [a + c + b for a, b in splits for c in letters]
    replaces = [a + c + b[1:] for a, b in splits if b for c in letters if c != b[0]]
    for candidates, vocabularies in (
        (transposes, (known, session)),  # not `known | session`: a copy of ~22,000 words
        (deletes + inserts, (session,)),
        (replaces, (session,)),
    ):
        hits = sorted({c for c in candidates if c != word and any(c in v for v in vocabularies)})
        if hits:
            return hits[0]
    return None
