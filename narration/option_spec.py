"""How a job option is declared and how a surface's raw value becomes its checked value.

`narration.job_options` declares the options themselves (the fields of `SubmitRequest`, each
with an `OptionSpec` made by `option`); this module holds the machinery they share: the
surfaces, the spec, and the conversion and bounds checks that `job_options.validate` applies.

Light on purpose (standard library only): `narrate --help` reads it.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from narration.errors import InputError


class Surface(enum.Enum):
    """Where a user gives a job's options."""

    SUBMIT = "submit"
    """`narrate submit` flags."""
    RUN = "run"
    """`narrate run` flags."""
    INSPECT = "inspect"
    """`narrate inspect` flags (the reading options: a dry run reads the document alike)."""
    NATIVE = "native"
    """The native API's form fields (`POST /v1/jobs`)."""
    CONSOLE = "console"
    """The console's submit form."""
    POLLY = "polly"
    """A Polly request field (`OptionSpec.polly`) maps onto it."""
    OPENAI = "openai"
    """An OpenAI speech request field (`OptionSpec.openai`) maps onto it."""
    RECORD = "record"
    """Kept in the job record's `options` (as `OptionSpec.record`, else its own name)."""


CLI: Final = frozenset({Surface.SUBMIT, Surface.RUN})
JOB_FORMS: Final = CLI | {Surface.NATIVE}
"""The full-length submissions: both CLI commands and the native API."""
READING: Final = JOB_FORMS | {Surface.INSPECT}
"""Options that change how a document is read: `inspect` takes them too."""
FLAG_SURFACES: Final = frozenset({Surface.SUBMIT, Surface.RUN, Surface.INSPECT})


@dataclass(frozen=True)
class OptionSpec:
    """How one option shows on each surface."""

    help: str
    surfaces: frozenset[Surface]
    flag: str = ""
    """The CLI flag; empty: `--` and the name with dashes."""
    choices: tuple[str, ...] = ()
    """The allowed values (an empty default is allowed too: it means "decide for me")."""
    minimum: float | None = None
    maximum: float | None = None
    defaults: Mapping[Surface, Any] = field(default_factory=dict)
    """A surface whose default differs from the field's (the API grows HLS by default)."""
    label: str = ""
    """The console form's label."""
    polly: str = ""
    """The Polly request field that feeds it."""
    openai: str = ""
    """The OpenAI speech request field that feeds it."""
    record: str = ""
    """The name of the job record's option; empty: the option's own name."""


def option(default: Any, help: str, surfaces: frozenset[Surface], **spec: Any) -> Any:
    """A `SubmitRequest` field with its spec (typed as its default, for the dataclass)."""
    return field(default=default, metadata={"option": OptionSpec(help, surfaces, **spec)})


@dataclass(frozen=True)
class Option:
    """One option: its name, type and default beside its spec."""

    name: str
    type: Any
    default: Any
    spec: OptionSpec

    @property
    def flag(self) -> str:
        return self.spec.flag or "--" + self.name.replace("_", "-")

    @property
    def record(self) -> str:
        return self.spec.record or self.name

    def default_on(self, surface: Surface) -> Any:
        return self.spec.defaults.get(surface, self.default)

    def spelled(self, surface: Surface) -> str:
        """The option's name as the surface's users write it."""
        return self.flag if surface in FLAG_SURFACES else self.name

    def value(self, raw: Any, surface: Surface) -> Any:
        """The checked value of `raw` (converted to the option's type); `InputError` names the
        option as the surface spells it."""
        return _checked(self, _converted(self, raw, surface), surface)


def _converted(item: Option, value: Any, surface: Surface) -> Any:
    kind = _base_type(item.type)
    if isinstance(value, str) and kind is str:
        return value.strip()
    if value is None or (isinstance(value, kind) and not (kind is int and value is True)):
        return value
    if kind is tuple:
        if isinstance(value, str):
            return (value,) if value else ()
        return tuple(str(each) for each in value)
    text = str(value).strip()
    try:
        if kind is bool:
            return _boolean(text)
        return kind(text)
    except ValueError:
        spelled = item.spelled(surface)
        what = {bool: "true or false", int: "a whole number", float: "a number"}[kind]
        raise InputError(f"{spelled} must be {what}, not {text[:40]!r}") from None


def _base_type(kind: Any) -> type:
    """str, int, float, bool or tuple, whatever the Optional around it."""
    if isinstance(kind, types.UnionType):
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    origin = typing.get_origin(kind)
    return typing.cast(type, origin or kind)


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off", ""):
        return False
    raise ValueError(text)


def _checked(item: Option, value: Any, surface: Surface) -> Any:
    spec = item.spec
    spelled = item.spelled(surface)
    if spec.choices and value != item.default and value not in spec.choices:
        raise InputError(f"{spelled} must be one of {', '.join(spec.choices)}, not {value!r}")
    if spec.minimum is not None and value is not None and value < spec.minimum:
        raise InputError(f"{spelled} must be at least {spec.minimum:g}, not {value}")
    if spec.maximum is not None and value is not None and value > spec.maximum:
        raise InputError(f"{spelled} must be at most {spec.maximum:g}, not {value}")
    return value
