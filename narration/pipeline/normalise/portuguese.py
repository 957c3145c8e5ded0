"""Portuguese: numbers, ordinals, dates, times, money and abbreviations read in Portuguese.

"112" is "cento e doze", "3,5" "três vírgula cinco", "1º" "primeiro", "05/03/2024" "cinco de
março de dois mil e vinte e quatro", "14h30" "catorze e trinta", "R$ 5,50" "cinco reais e
cinquenta centavos", "Sr. Silva" "senhor Silva". The words are Brazil's (Kokoro's Portuguese
voices are Brazilian: "dezesseis", not Portugal's "dezasseis"); a number agrees with a feminine
noun after it ("2 pessoas": "duas pessoas"). Thousands are grouped with a point or a space, the
decimal mark is a comma.
"""

from __future__ import annotations

import re
from typing import Final

from narration.pipeline.normalise.gender import PORTUGUESE as GENDERS
from narration.pipeline.normalise.language_rules import (
    Currency,
    Words,
    abbreviation_rules,
    date_rules,
    number_rules,
    time_rules,
)
from narration.pipeline.normalise.measures import PORTUGUESE as UNITS
from narration.pipeline.normalise.measures import unit_rules
from narration.pipeline.normalise.roman_romance import (
    RomanWords,
    abbreviated_centuries,
    roman_rules,
)
from narration.pipeline.normalise.rule import Rule

_UNITS: Final = (
    "zero um dois três quatro cinco seis sete oito nove dez onze doze treze catorze quinze "
    "dezesseis dezessete dezoito dezenove"
).split()
_TENS: Final = "_ _ vinte trinta quarenta cinquenta sessenta setenta oitenta noventa".split()
_HUNDREDS: Final = (
    "_ cento duzentos trezentos quatrocentos quinhentos seiscentos setecentos oitocentos novecentos"
).split()
_ORDINAL_UNITS: Final = "_ primeiro segundo terceiro quarto quinto sexto sétimo oitavo nono"
_ORDINAL_TENS: Final = (
    "_ décimo vigésimo trigésimo quadragésimo quinquagésimo sexagésimo septuagésimo "
    "octogésimo nonagésimo"
)
_ORDINAL_HUNDREDS: Final = (
    "_ centésimo ducentésimo trecentésimo quadringentésimo quingentésimo sexcentésimo "
    "septingentésimo octingentésimo noningentésimo"
)


def _below_thousand(n: int) -> str:
    if n == 100:
        return "cem"
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    parts = [_HUNDREDS[hundreds]] if hundreds else []
    if rest < 20:
        parts += [_UNITS[rest]] if rest or not hundreds else []
    else:
        parts += [_TENS[tens]] + ([_UNITS[ones]] if ones else [])
    return " e ".join(parts)


def cardinal(n: int) -> str:
    """`n` in Portuguese words: 112 → "cento e doze", 2024 → "dois mil e vinte e quatro"."""
    if n < 0:
        return f"menos {cardinal(-n)}"
    if n >= 10**12:
        return " ".join(_UNITS[int(digit)] for digit in str(n))
    millions, rest = divmod(n, 10**6)
    thousands, below = divmod(rest, 1000)
    groups: list[tuple[int, str]] = []
    if millions:
        said = "um milhão" if millions == 1 else f"{cardinal(millions)} milhões"
        groups.append((millions, said))
    if thousands:
        groups.append((thousands, "mil" if thousands == 1 else f"{_below_thousand(thousands)} mil"))
    if below or not groups:
        groups.append((below, _below_thousand(below)))
    words = groups[0][1]
    if len(groups) > 1:
        middle = " ".join(said for _, said in groups[1:-1])
        value, last = groups[-1]
        joiner = " e " if value < 100 or value % 100 == 0 else " "
        words = " ".join(w for w in (words, middle) if w) + joiner + last
    return words


def ordinal(n: int, feminine: bool = False) -> str:
    """ "1º" → "primeiro", "1ª" → "primeira", "23º" → "vigésimo terceiro"; from 1000 on, the
    cardinal."""
    if not 0 < n < 1000:
        return cardinal(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    words = [
        table.split()[index]
        for table, index in (
            (_ORDINAL_HUNDREDS, hundreds),
            (_ORDINAL_TENS, tens),
            (_ORDINAL_UNITS, ones),
        )
        if index
    ]
    if feminine:
        words = [word[:-1] + "a" for word in words]
    return " ".join(words)


def _ordinal(m: re.Match[str]) -> str:
    return ordinal(int(m["n"]), feminine=m["s"] == "ª")


_FEMININE: Final = {"um": "uma", "dois": "duas"}


def counted(n: int, noun: str) -> str:
    """ "2 pessoas" → "duas pessoas", "1 casa" → "uma casa", "200 páginas" → "duzentas
    páginas", "2.000.000 pessoas" → "dois milhões de pessoas" (the noun's gender:
    `gender.PORTUGUESE`); a thousand and less below a million agree too ("duas mil")."""
    said = cardinal(n)
    if not GENDERS.counts(n, noun):
        return said + " "
    if GENDERS.is_feminine(noun):
        words = said.split(" ")
        last_million = max((i for i, w in enumerate(words) if w.startswith("milh")), default=-1)
        words[last_million + 1 :] = [
            _FEMININE.get(w, w[:-2] + "as" if w.endswith("entos") else w)
            for w in words[last_million + 1 :]
        ]
        said = " ".join(words)
    return f"{said} de " if said.endswith(("milhão", "milhões")) else f"{said} "


def time(hours: int, minutes: int) -> str:
    """ "14h30" → "catorze e trinta", "14h" → "catorze horas", "1h" → "uma hora"."""
    hour = "uma" if hours == 1 else "duas" if hours == 2 else cardinal(hours)
    if minutes:
        return f"{hour} e {cardinal(minutes)}"
    return f"{hour} hora" + ("" if hours == 1 else "s")


def amount(n: int, one: str, many: str) -> str:
    """ "um real", "cinco reais", "um milhão de reais"."""
    words = cardinal(n)
    if words.endswith(("milhão", "milhões")):
        return f"{words} de {many}"
    return f"{words} {one if n == 1 else many}"


WORDS: Final = Words(
    cardinal=cardinal,
    counted=counted,
    months=tuple(
        "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
        "dezembro".split()
    ),
    date="{d} de {m} de {y}",
    first_day="primeiro",
    point="vírgula",
    percent="por cento",
    time=time,
    other_point="ponto",
    groups=r"[. \u00a0\u202f]",
    amount=amount,
    cents_joiner="e",
    currencies={
        "R$": Currency("real", "reais", "centavo", "centavos"),
        "€": Currency("euro", "euros", "cêntimo", "cêntimos"),
        "US$": Currency("dólar", "dólares", "centavo", "centavos"),
        "$": Currency("dólar", "dólares", "centavo", "centavos"),
    },
    hour_mark=True,
)
TITLES: Final = {
    "Sr.": "senhor", "Sra.": "senhora", "Srta.": "senhorita", "Dr.": "doutor",
    "Dra.": "doutora", "Prof.": "professor", "Profa.": "professora", "Sto.": "santo",
    "Sta.": "santa",
}  # fmt: skip
ABBREVIATIONS: Final = {
    "etc.": "etcétera", "pág.": "página", "págs.": "páginas", "nº": "número", "n.º": "número",
    "p. ex.": "por exemplo", "a.C.": "antes de Cristo", "d.C.": "depois de Cristo",
    "aprox.": "aproximadamente", "tel.": "telefone", "cap.": "capítulo", "vol.": "volume",
    "Av.": "avenida",
}  # fmt: skip
_ORDINAL: Final = re.compile(r"(?<![\w.,])(?P<n>\d{1,3})\.?(?P<s>[ºª])")


def _up_to_ten(n: int, feminine: bool = False) -> str:
    """Ordinals up to ten, cardinals above: "Pedro segundo", "Luís catorze", "século dezenove"."""
    return ordinal(n, feminine=feminine) if n <= 10 else cardinal(n)


ROMAN: Final = RomanWords(
    regnal=_up_to_ten,
    century=_up_to_ten,
    cardinal=cardinal,
    centuries=frozenset({"século", "séculos"}),
    century_said="século",
    sections=frozenset(
        "capítulo capítulos tomo tomos volume parte livro ato cena artigo título anexo seção "
        "secção fase etapa nível tipo classe canto lição unidade grupo".split()
    ),
)

RULES: Final[tuple[Rule, ...]] = (
    *abbreviation_rules(TITLES, ABBREVIATIONS),
    *abbreviated_centuries(ROMAN, ("séc.", "Séc.")),
    *roman_rules(ROMAN),
    *date_rules(WORDS),
    *time_rules(WORDS),
    (_ORDINAL, _ordinal),
    *unit_rules(WORDS, UNITS),
    *number_rules(WORDS),
)
"""The Portuguese rule table: abbreviations, dates, times, ordinals, money and every number."""
