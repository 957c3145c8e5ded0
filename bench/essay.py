"""The bench text: varied, original English prose generated from templates with a fixed seed.

Generated, not copied, so every machine benchmarks the same bytes. It is stored in
bench/data/essay.txt (regenerate with `python bench/essay.py --write-text`).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Final

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
ESSAY: Final = DATA_DIR / "essay.txt"
ESSAY_CHARS: Final = 34_400
"""About the size of the issue's reference text (34,404 characters → 1,871 s of audio)."""
TEXT_SEED: Final = 20240611

_PLACES = (
    "the harbour town",
    "a hill village",
    "the old mill",
    "the river delta",
    "a mountain pass",
    "the railway yard",
    "a coastal marsh",
    "the valley farms",
    "the market square",
    "a lighthouse island",
    "the northern forest",
    "the city library",
    "a quiet orchard",
    "the salt flats",
    "the canal district",
    "a fishing cove",
)
_PEOPLE = (
    "the ferry captain",
    "a retired engineer",
    "the village baker",
    "two young surveyors",
    "the lighthouse keeper",
    "a travelling musician",
    "the schoolteacher",
    "an apprentice potter",
    "the night watchman",
    "a botanist from the coast",
    "the station master",
    "her grandmother",
    "the carpenter's son",
    "a patient archivist",
    "the beekeeper",
    "an old clockmaker",
)
_THINGS = (
    "a map of the tides",
    "the weather journal",
    "a box of brass instruments",
    "the harvest",
    "a bridge of grey stone",
    "the winter stores",
    "a set of hand-drawn charts",
    "the signal lamps",
    "a ledger of small debts",
    "the orchard ladders",
    "the new water pump",
    "a crate of seed potatoes",
    "the copper kettles",
    "a bundle of letters",
    "the ship's bell",
    "the garden walls",
)
_VERBS = (
    "repaired",
    "measured",
    "carried",
    "painted",
    "studied",
    "rebuilt",
    "counted",
    "guarded",
    "described",
    "collected",
    "tested",
    "replaced",
    "sketched",
    "polished",
    "checked",
    "moved",
)
_TIMES = (
    "before dawn",
    "in the late afternoon",
    "every second Tuesday",
    "during the long winter",
    "after the spring floods",
    "at the end of each season",
    "on cold mornings",
    "whenever the wind turned",
    "in the first week of October",
    "long after midnight",
    "while the tide was out",
    "on market days",
)
_ADJS = (
    "patient",
    "careful",
    "restless",
    "stubborn",
    "generous",
    "quiet",
    "cheerful",
    "tired",
    "curious",
    "methodical",
    "hopeful",
    "weathered",
)
_FEELINGS = (
    "a sense of order",
    "a kind of calm",
    "more questions than answers",
    "an odd satisfaction",
    "a useful habit",
    "a small but steady income",
    "the respect of the neighbours",
    "a reason to keep going",
)
_TEMPLATES = (
    "{Person} {verb} {thing} {time}.",
    "In {place}, {person} {verb} {thing} and wrote down what changed.",
    "Nobody in {place} remembered who had first {verb} {thing}, but everyone agreed it mattered.",
    "{Time}, {person} walked to {place} with {thing} under one arm.",
    "It took {n} days to finish, and the work brought {feeling}.",
    '"We will need {n} more," said {person}, looking at {thing}.',
    "Was it worth the trouble? {Person} thought so, at least on most days.",
    "The records show that {n} people lived in {place} in {year}, a number that barely moved "
    "for a decade.",
    "{Person} was {adj} by nature, and {adj2} by long practice.",
    "Some visitors found {place} {adj}; others, who stayed longer, called it {adj2}.",
    "There were {n} steps from the gate to the door, and {person} knew each of them by heart.",
    "By {year}, {thing} had been {verb} so often that the originals were hard to find.",
    "{Person} kept a list: first {thing}, then {thing2}, and finally, if there was time, "
    "the long walk to {place}.",
    "The lesson, if there was one, was simple: {feeling} comes from doing small things well.",
    "When the rain came, {person} {verb} {thing} again, because nothing else could wait.",
    "A letter from {place} arrived in {month}, asking whether {thing} could be sent by train.",
    "At {clock} o'clock the bell rang, and {person} put down {thing}.",
    "{Person} said little, but the neighbours noticed that {thing} was always ready {time}.",
    "Prices rose by {pct} percent that year, which meant that {thing} cost more than anyone "
    "had planned.",
    "Even so, {person} found {feeling} in the routine, and in the people of {place}.",
    "Later, when asked about it, {person} only laughed and pointed toward {place}.",
    "The road to {place} was {adj} and narrow; it climbed, dipped, and climbed again.",
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _sentence(rng: random.Random) -> str:
    template = rng.choice(_TEMPLATES)
    person, thing, time_, place = (
        rng.choice(_PEOPLE),
        rng.choice(_THINGS),
        rng.choice(_TIMES),
        rng.choice(_PLACES),
    )
    adj, adj2 = rng.sample(_ADJS, 2)
    thing2 = rng.choice([t for t in _THINGS if t != thing])
    text = template.format(
        person=person,
        Person=person[0].upper() + person[1:],
        thing=thing,
        thing2=thing2,
        verb=rng.choice(_VERBS),
        time=time_,
        Time=time_[0].upper() + time_[1:],
        place=place,
        n=rng.choice((3, 4, 7, 12, 19, 26, 40, 115)),
        year=rng.randrange(1890, 1990),
        adj=adj,
        adj2=adj2,
        feeling=rng.choice(_FEELINGS),
        month=rng.choice(_MONTHS),
        clock=rng.choice(("six", "seven", "nine", "eleven")),
        pct=rng.choice((4, 9, 12, 30)),
    )
    return text


def generate_text(chars: int = ESSAY_CHARS, seed: int = TEXT_SEED) -> str:
    """Original English prose, paragraphs of 3-8 sentences, about `chars` characters."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < chars:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(3, 8)))
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(paragraphs) + "\n"


def text_of_length(chars: int) -> str:
    """Generated prose of exactly `chars` characters, ending in a full stop."""
    body = generate_text(chars + 1_000).strip()[: chars - 1]
    if not body[-1].isalnum():
        body = body[:-1] + "a"
    return body + "."


def bench_text(chars: int | None = None) -> str:
    """The stored bench text, cut at a paragraph (else sentence) end to at most `chars`."""
    text = ESSAY.read_text(encoding="utf-8") if ESSAY.exists() else generate_text()
    text = text.strip()
    if chars is None or chars >= len(text):
        return text + "\n"
    cut = text.rfind("\n\n", 0, chars)
    if cut < chars // 2:
        cut = text.rfind(". ", 0, chars) + 1
    return text[: max(cut, 1)].strip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The bench text.")
    parser.add_argument("--write-text", action="store_true", help=f"(re)write {ESSAY}")
    args = parser.parse_args(argv)
    if args.write_text:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        text = generate_text()
        ESSAY.write_text(text, encoding="utf-8")
        print(f"wrote {ESSAY}: {len(text):,} characters, {len(text.split()):,} words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
