"""Units after a number, said in the text's language: "5 km" → "cinco kilómetros".

The number agrees with the unit's word as with any noun (`Words.counted`: "1 h" → "una hora",
"21 millas" → "veintiuna millas", "1 ora" → "un'ora"); one is singular, any other amount plural
("1,5 km" → "uno coma cinco kilómetros"), but in French, where below two is singular ("1,5
kilomètre"). A unit is a symbol after a number only, so "m" or "h" alone in a sentence is never
touched. English keeps its own table (`units`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from narration.pipeline.normalise.language_rules import Words, decimal_words
from narration.pipeline.normalise.rule import Rule

Units = Mapping[str, tuple[str, str]]
"""A symbol and its words, singular and plural."""


def _table(text: str) -> dict[str, tuple[str, str]]:
    """ "km kilómetro kilómetros; …" as {symbol: (one, many)} ("_" joins words of one)."""
    table = {}
    for entry in text.split(";"):
        symbol, one, many = entry.split()
        table[symbol] = (one.replace("_", " "), many.replace("_", " "))
    return table


SPANISH: Final = _table(
    "km kilómetro kilómetros; m metro metros; cm centímetro centímetros; mm milímetro milímetros;"
    "km/h kilómetro_por_hora kilómetros_por_hora; m/s metro_por_segundo metros_por_segundo;"
    "kg kilogramo kilogramos; g gramo gramos; mg miligramo miligramos; l litro litros;"
    "L litro litros; ml mililitro mililitros; mL mililitro mililitros; h hora horas;"
    "min minuto minutos; ms milisegundo milisegundos; °C grado_Celsius grados_Celsius;"
    "°F grado_Fahrenheit grados_Fahrenheit; ha hectárea hectáreas;"
    "m² metro_cuadrado metros_cuadrados; km² kilómetro_cuadrado kilómetros_cuadrados;"
    "kB kilobyte kilobytes; KB kilobyte kilobytes; MB megabyte megabytes;"
    "GB gigabyte gigabytes; TB terabyte terabytes; Hz hercio hercios; kHz kilohercio kilohercios;"
    "MHz megahercio megahercios; GHz gigahercio gigahercios; W vatio vatios;"
    "kW kilovatio kilovatios; kWh kilovatio_hora kilovatios_hora; V voltio voltios;"
    "mi milla millas; ft pie pies; lb libra libras; oz onza onzas; kcal kilocaloría kilocalorías"
)
PORTUGUESE: Final = _table(
    "km quilômetro quilômetros; m metro metros; cm centímetro centímetros;"
    "mm milímetro milímetros; km/h quilômetro_por_hora quilômetros_por_hora;"
    "m/s metro_por_segundo metros_por_segundo; kg quilograma quilogramas; g grama gramas;"
    "mg miligrama miligramas; l litro litros; L litro litros; ml mililitro mililitros;"
    "mL mililitro mililitros; min minuto minutos; ms milissegundo milissegundos;"
    "°C grau_Celsius graus_Celsius; °F grau_Fahrenheit graus_Fahrenheit; ha hectare hectares;"
    "m² metro_quadrado metros_quadrados; km² quilômetro_quadrado quilômetros_quadrados;"
    "kB kilobyte kilobytes; KB kilobyte kilobytes; MB megabyte megabytes;"
    "GB gigabyte gigabytes; TB terabyte terabytes; Hz hertz hertz; kHz quilohertz quilohertz;"
    "MHz megahertz megahertz; GHz gigahertz gigahertz; W watt watts; kW quilowatt quilowatts;"
    "kWh quilowatt-hora quilowatts-hora; V volt volts; mi milha milhas; ft pé pés;"
    "lb libra libras; oz onça onças; kcal quilocaloria quilocalorias"
)
ITALIAN: Final = _table(
    "km chilometro chilometri; m metro metri; cm centimetro centimetri;"
    "mm millimetro millimetri; km/h chilometro_orario chilometri_orari;"
    "m/s metro_al_secondo metri_al_secondo; kg chilogrammo chilogrammi; g grammo grammi;"
    "mg milligrammo milligrammi; l litro litri; L litro litri; ml millilitro millilitri;"
    "mL millilitro millilitri; h ora ore; min minuto minuti; ms millisecondo millisecondi;"
    "°C grado_Celsius gradi_Celsius; °F grado_Fahrenheit gradi_Fahrenheit; ha ettaro ettari;"
    "m² metro_quadrato metri_quadrati; km² chilometro_quadrato chilometri_quadrati;"
    "kB kilobyte kilobyte; KB kilobyte kilobyte; MB megabyte megabyte; GB gigabyte gigabyte;"
    "TB terabyte terabyte; Hz hertz hertz; kHz kilohertz kilohertz; MHz megahertz megahertz;"
    "GHz gigahertz gigahertz; W watt watt; kW kilowatt kilowatt; kWh kilowattora kilowattora;"
    "V volt volt; mi miglio miglia; ft piede piedi; lb libbra libbre; oz oncia once;"
    "kcal chilocaloria chilocalorie"
)
FRENCH: Final = _table(
    "km kilomètre kilomètres; m mètre mètres; cm centimètre centimètres;"
    "mm millimètre millimètres; km/h kilomètre_par_heure kilomètres_par_heure;"
    "m/s mètre_par_seconde mètres_par_seconde; kg kilogramme kilogrammes; g gramme grammes;"
    "mg milligramme milligrammes; l litre litres; L litre litres; ml millilitre millilitres;"
    "mL millilitre millilitres; min minute minutes; ms milliseconde millisecondes;"
    "°C degré_Celsius degrés_Celsius; °F degré_Fahrenheit degrés_Fahrenheit;"
    "ha hectare hectares; m² mètre_carré mètres_carrés; km² kilomètre_carré kilomètres_carrés;"
    "ko kilooctet kilooctets; Mo mégaoctet mégaoctets; Go gigaoctet gigaoctets;"
    "To téraoctet téraoctets; kB kilooctet kilooctets; MB mégaoctet mégaoctets;"
    "GB gigaoctet gigaoctets; TB téraoctet téraoctets; Hz hertz hertz; kHz kilohertz kilohertz;"
    "MHz mégahertz mégahertz; GHz gigahertz gigahertz; W watt watts; kW kilowatt kilowatts;"
    "kWh kilowattheure kilowattheures; V volt volts; kcal kilocalorie kilocalories"
)


def unit_rules(words: Words, units: Units, singular_below_two: bool = False) -> tuple[Rule, ...]:
    """A number (a sign, thousands groups, a decimal part) and a unit symbol, in words."""
    symbols = "|".join(re.escape(s) for s in sorted(units, key=len, reverse=True))
    grouped = rf"\d{{1,3}}(?:{words.groups}\d{{3}})+"
    pattern = re.compile(
        rf"(?<![\w.,])(?P<sign>[-−])?(?P<int>{grouped}|\d+)(?:(?P<mark>[.,])(?P<frac>\d+))?"
        rf"\s?(?P<unit>{symbols})(?![\w/°²³])"
    )
    minus = words.cardinal(-1).rsplit(" ", 1)[0]

    def said(m: re.Match[str]) -> str:
        one, many = units[m["unit"]]
        whole = int(re.sub(r"\D", "", m["int"]))
        sign = f"{minus} " if m["sign"] else ""
        if m["frac"]:
            number = decimal_words(words, m["int"], m["frac"])
            if m["mark"] != words.decimal and words.other_point:
                number = number.replace(f" {words.point} ", f" {words.other_point} ", 1)
            single = singular_below_two and whole < 2
            return f"{sign}{number} {one if single else many}"
        noun = one if whole == 1 else many
        if words.counted is None:
            return f"{sign}{words.cardinal(whole)} {noun}"
        return f"{sign}{words.counted(whole, re.split(r'[ -]', noun)[0])}{noun}"

    return ((pattern, said),)
