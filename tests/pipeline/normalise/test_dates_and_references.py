"""Dates, Roman numerals in headings, reference abbreviations and added units."""

from __future__ import annotations

import pytest

from narration.pipeline.normalise import spoken_text

CASES = [
    # dates
    (
        "On 2024-01-05 we met",
        "two thousand twenty four dash zero one ...",
        "On January 5th, 20 24 we met",
    ),
    ("March 5, 2024 and", "march five, two thousand twenty four", "March 5th, 20 24 and"),
    ("5 March 2024", "five march two thousand ...", "the 5th of March, 20 24"),
    ("on Sept. 3", "sept. (sentence break) three", "on September 3rd"),
    ("March 5th", "(right)", "March 5th"),
    (
        "Date: February 07, 2026.",
        "february zero seven, two thousand twenty six",
        "Date: February 7th, 20 26.",
    ),
    ("at 10:30 on May 4", "(right)", "at 10:30 on May 4th"),
    # Roman numerals heading a line
    ("IV. The Pool", "roman four. the pool", "4. The Pool"),
    ("XII: Notes", "roman twelve", "12: Notes"),
    ("I. Introduction", "I. introduction", "1. Introduction"),
    ("I. M. Pei built it", "(initials: left)", "I. M. Pei built it"),
    ("C. S. Lewis", "(initials: left)", "C. S. Lewis"),
    ("L. Frank Baum", "(an initial: left)", "L. Frank Baum"),
    ("Eric V. Smith wrote", "(a middle initial: left)", "Eric V. Smith wrote"),
    ("Chapter V. The End", "chapter roman five", "Chapter 5. The End"),
    # references before a number
    ("see p. 12", "P. (sentence break) twelve", "see page 12"),
    ("pp. 12-14, then", "P P. twelve dash fourteen", "pages 12 to 14, then"),
    ("Fig. 3 and fig. 4", "fig. (sentence break)", "Figure 3 and figure 4"),
    ("Eq. 2", "ek. two", "Equation 2"),
    ("vol. 2", "vol. two", "volume 2"),
    ("ca. 1500", "ka. one thousand five hundred", "circa 15 hundred"),
    ("cf. Smith", "C F smith", "compare Smith"),
    ("wait 5 sec. 3 times", "(seconds: left)", "wait 5 sec. 3 times"),
    # units
    ("10 ms", "ten M S", "10 milliseconds"),
    ("5 MiB", "five my B", "5 mebibytes"),
    ("at 100 MB/s", "M B slash S", "at 100 megabytes per second"),
    ("20 min", "twenty min", "20 minutes"),
]


@pytest.mark.parametrize(("given", "espeak_as_is", "fed"), CASES, ids=[c[0] for c in CASES])
def test_rule(given: str, espeak_as_is: str, fed: str) -> None:
    assert spoken_text(given) == fed
