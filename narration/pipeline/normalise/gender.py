"""The grammatical gender of the noun after a number, where the number agrees with it.

Spanish says "una casa", "veintiuna páginas", "doscientas personas"; Portuguese "duas pessoas";
Italian "una casa"; French "vingt et une pages". Which nouns are feminine is guessed from the
written word, conservatively: a noun is feminine by its ending (`Genders.endings`: "-a",
"-ción", "-dad", …) unless a short list says it is not ("día", "problema", "-ista" nouns of
either sex), or because a short list names it ("mano", "vez", "noche"). A plural is looked up as
written and by its singular ("páginas", "veces"). A word the heuristic does not know is
masculine: the number is said as before. `words_before` tells a noun from the small words
("de", "y", "a") after which a number keeps its plain form ("uno de cada cinco").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Genders:
    """A language's feminine nouns, as far as a number before them needs to know."""

    endings: tuple[str, ...]
    """Feminine endings, singular and plural."""
    masculine: frozenset[str]
    """Nouns with a feminine ending that are not feminine (and epicene ones)."""
    feminine: frozenset[str]
    """Feminine nouns without a feminine ending."""
    epicene: tuple[str, ...] = ()
    """Endings of nouns of either sex ("-ista"): left masculine."""
    small_words: frozenset[str] = frozenset()
    """Words after which a number is not a count of them ("de", "y", "a", "fue")."""
    plurals: tuple[str, ...] = ("s",)
    """How a plural ends: after any number but 1 a counted noun is plural ("En 1931 comienza"
    counts nothing)."""

    def is_feminine(self, noun: str) -> bool:
        word = noun.lower()
        if word in self.feminine:
            return True
        if word in self.masculine or word.endswith(self.epicene):
            return False
        return word.endswith(self.endings)

    def counts(self, n: int, word: str) -> bool:
        """Whether `n` before `word` counts it: a noun, singular after 1, plural after more."""
        lower = word.lower()
        if len(lower) < 2 or lower in self.small_words:
            return False
        return n == 1 or lower.endswith(self.plurals) or lower in self.feminine


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SPANISH: Final = Genders(
    endings=(
        "a", "as", "ción", "ciones", "sión", "siones", "dad", "dades", "tad", "tades", "tud",
        "tudes", "umbre", "umbres", "ión", "iones", "triz", "trices",
    ),
    masculine=_words(
        "día días mapa mapas problema problemas tema temas sistema sistemas programa programas "
        "idioma idiomas clima climas planeta planetas poema poemas drama dramas esquema esquemas "
        "síntoma síntomas dilema dilemas diploma diplomas teorema teoremas pijama pijamas aroma "
        "aromas enigma enigmas fantasma fantasmas panorama panoramas cometa cometas poeta poetas "
        "profeta profetas atleta atletas astronauta astronautas pirata piratas idiota idiotas "
        "avión aviones camión camiones millón millones billón billones guion guiones"
    ),
    feminine=_words(
        "mano manos vez veces foto fotos moto motos imagen imágenes mujer mujeres noche noches "
        "calle calles clase clases gente parte partes muerte muertes fe llave llaves nave naves "
        "flor flores piel pieles ley leyes red redes luz luces voz voces cárcel cárceles tarde "
        "tardes frase frases base bases fuente fuentes torre torres nube nubes leche sangre "
        "suerte serie series especie especies nieve crisis tesis madre madres ciudad ciudades "
        "razón razones canción canciones"
    ),
    epicene=("ista", "istas"),
    small_words=_words(
        "de del y e o u ni a al en con por para sin sobre entre tras hasta desde que como más "
        "menos es son era eran fue fueron hubo tuvo ha han hay se lo la los las le les un una x"
    ),
)  # fmt: skip
PORTUGUESE: Final = Genders(
    endings=(
        "a", "as", "ção", "ções", "são", "sões", "dade", "dades", "tude", "tudes", "agem",
        "agens",
    ),
    masculine=_words(
        "dia dias mapa mapas problema problemas tema temas sistema sistemas programa programas "
        "idioma idiomas clima climas planeta planetas poema poemas drama dramas esquema esquemas "
        "telefonema telefonemas cinema cinemas grama gramas quilograma quilogramas miligrama "
        "miligramas diploma diplomas poeta poetas atleta atletas astronauta astronautas pirata "
        "piratas idiota idiotas personagem personagens"
    ),
    feminine=_words(
        "vez vezes mão mãos foto fotos moto motos mulher mulheres noite noites tarde tardes "
        "parte partes morte mortes fé chave chaves nave naves flor flores pele peles lei leis "
        "rede redes luz luzes voz vozes frase frases base bases fonte fontes torre torres nuvem "
        "nuvens série séries espécie espécies gente mãe mães ordem ordens árvore árvores cor "
        "cores dor dores classe classes"
    ),
    epicene=("ista", "istas"),
    small_words=_words(
        "de do da dos das e ou nem a à ao aos em no na nos nas com por para sem sobre entre até "
        "desde que como mais menos é são era eram foi foram houve teve há se o os um uma x"
    ),
)  # fmt: skip
ITALIAN: Final = Genders(
    endings=("a", "zione", "sione", "tà", "tù", "trice", "ie"),
    masculine=_words(
        "problema sistema tema programma clima pianeta poeta papa cinema dramma diploma schema "
        "teorema panorama pigiama"
    ),
    feminine=_words(
        "mano foto moto radio auto notte parte gente chiave nave classe frase base fonte torre "
        "nube volta legge rete luce voce madre morte arte carne fame mente neve pelle sete sorte "
        "vite fine"
    ),
    epicene=("ista",),
    plurals=("i", "e"),
    small_words=_words(
        "di del della dei e o né a al alla ai in nel nella con per su tra fra da dal che come "
        "più meno è sono era erano fu si il lo la i gli le un una x"
    ),
)  # fmt: skip
FRENCH: Final = Genders(
    endings=(
        "tion", "tions", "sion", "sions", "té", "tés", "ette", "ettes", "elle", "elles", "esse",
        "esses", "ance", "ances", "ence", "ences", "ure", "ures", "ise", "ises", "aine",
        "aines", "onne", "onnes", "ière", "ières", "euse", "euses", "ée", "ées",
    ),
    masculine=_words(
        "musée musées lycée lycées trophée trophées silence silences squelette squelettes "
        "murmure murmures mercure cyanure été étés côté côtés comité comités pâté pâtés"
    ),
    feminine=_words(
        "page pages fois heure heures minute minutes seconde secondes nuit nuits main mains fin "
        "part parts mer fleur fleurs image images plage plages langue langues chose choses vie "
        "vies étoile étoiles place places table tables chambre chambres porte portes lettre "
        "lettres ligne lignes phrase phrases femme femmes fille filles ville villes maison "
        "maisons raison raisons saison saisons chanson chansons leçon leçons façon façons voix "
        "croix clé clés dent dents forêt forêts guerre guerres terre terres pierre pierres "
        "histoire histoires victoire victoires île îles équipe équipes école écoles église "
        "églises classe classes salle salles règle règles tonne tonnes once onces calorie calories "
        "kilocalorie kilocalories"
    ),
    plurals=("s", "x"),
    small_words=_words(
        "de du des et ou ni à au aux en dans avec par pour sans sur sous entre vers que comme "
        "plus moins est sont était fut le la les un une x"
    ),
)  # fmt: skip
