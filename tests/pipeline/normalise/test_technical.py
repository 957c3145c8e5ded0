"""Versions, IP addresses, options, names with digits, URLs: what technical books are full of.

Each `espeak as-is` column was measured with `PiperVoice.phonemize`."""

from __future__ import annotations

import pytest

from narration.pipeline.normalise import spoken_text
from narration.pipeline.normalise.technical import ip_address, version
from narration.pipeline.normalise.web import short_url

CASES = [
    # versions
    (
        "Python 3.10.4 is out",
        "three point one zero point four",
        "Python three point ten point four is out",
    ),
    ("Python 3.10 too", "three point one zero", "Python three point ten too"),
    ("pi is 3.14", "(a decimal: right)", "pi is 3.14"),
    ("version 2.6", "(right, kept as words)", "version two point six"),
    ("v1.2.3", "V one point two point three", "version one point two point three"),
    ("1.2.3-rc1", "... three R C one", "one point two point three R C one"),
    ("2.0b1 released", "two point zero b one", "two point zero beta one released"),
    ("Section 3.2.1 says", "(right, kept as words)", "Section three point two point one says"),
    ("Figure 3.10 shows", "three point one zero", "Figure three point ten shows"),
    ("version 1.05", "(leading zero: digits)", "version one point zero five"),
    # IP addresses
    (
        "at 192.168.1.1 now",
        "one hundred ninety two point ...",
        "at one nine two dot one six eight dot one dot one now",
    ),
    # command-line options
    ("use --verbose", "verbose (dashes silent)", "use dash dash verbose"),
    ("or -h,", "H", "or dash h,"),
    ("--dry-run=yes", "dry run", "dash dash dry-run=yes"),
    ("a well-known word", "(an English compound: left)", "a well-known word"),
    ("-5 degrees", "(a negative number: left)", "-5 degrees"),
    # names with digits after a hyphen
    ("ISO-8859-1", "ISO eight thousand eight hundred fifty nine dash one", "ISO 88 59 1"),
    ("x86-64", "x eighty six dash sixty four", "x86 64"),
    ("UTF-8", "(right)", "UTF 8"),
    # names and file names
    ("__init__", "init", "dunder init"),
    ("notebook.ipynb", "dot ipinb", "notebook dot I P Y N B"),
    ("ci.yml", "dot immel", "ci dot yammel"),
    ("setup.py and os.path.join", "(right)", "setup.py and os.path.join"),
    ("/usr/share/doc", "(right)", "/usr/share/doc"),
    # web
    (
        "see https://docs.python.org/3/library/os.html#x now",
        "H T T P S colon slash slash ...",
        "see docs.python.org now",
    ),
    ("at https://example.com/a/ now", "H T T P S ...", "at example.com/a now"),
    ("mail john.doe@example.com", "(right)", "mail john.doe@example.com"),
]


@pytest.mark.parametrize(("given", "espeak_as_is", "fed"), CASES, ids=[c[0] for c in CASES])
def test_technical(given: str, espeak_as_is: str, fed: str) -> None:
    assert spoken_text(given) == fed


def test_version_words() -> None:
    assert version("3.10.4") == "three point ten point four"
    assert version("1.2", "rc", "2") == "one point two R C two"


def test_ip_address_digit_by_digit() -> None:
    assert ip_address("10.0.0.1") == "one zero dot zero dot zero dot one"


@pytest.mark.parametrize(
    ("url", "short"),
    [
        ("https://example.com/", "example.com"),
        ("http://example.com/a/b?q=1#top", "example.com/a/b"),
        ("https://example.com/a/b/c", "example.com"),
        ("https://example.com/a-very-long-page-name-indeed", "example.com"),
        ("www.example.com", "www.example.com"),
    ],
)
def test_short_url(url: str, short: str) -> None:
    assert short_url(url) == short
