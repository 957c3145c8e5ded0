"""Commands whose flag values reach pydantic only when Typer's conversion would change them.

Typer (0.29) converts each parameter's value through a pydantic `TypeAdapter` that it builds
for that parameter on every run, a flag left at its default included: for `narrate submit`'s
38 parameters that was 0.07-0.12 s of its start, and pydantic's import besides
(docs/BENCHMARKS.md, "CLI start-up"). A `FlagCommand` passes on as is the values that
conversion returns unchanged: a value left unset (None, which Typer's own code answers before
any adapter), a value already of the parameter's plain type (`str`, `int`, `float`, `bool`;
within its bounds, with no parser) and an empty list for a list. Any other value (a number typed on
the command line, a path, a list of names) goes through Typer's own conversion, built when
first needed, so conversions and error messages stay Typer's.

Typer has no public hook for this: it reaches into `typer._coercion`. With a Typer that lacks
that layer, `FlagCommand` and `FlagGroup` are Typer's own, otherwise the same.
tests/cli/test_flag_conversion.py checks every command that uses it against Typer's conversion.
"""

from __future__ import annotations

import functools
import typing
from dataclasses import dataclass
from typing import Any, Final

from typer.core import TyperCommand, TyperGroup

try:
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    from typer.core import _TyperParameter
except ImportError:  # another Typer: its own conversion, as before
    RuntimeParam = None  # type: ignore[assignment,misc]

PLAIN: Final = (str, int, float, bool)
"""Types whose values pydantic's lax mode returns as they are."""


def unchanged(descriptor: TypeDescriptor, value: Any) -> bool:
    """Whether Typer's conversion of `value` for a parameter of `descriptor` returns it as is."""
    info = descriptor.parameter_info
    annotation = descriptor.annotation
    if info.parser is not None:
        return False
    if annotation in PLAIN and type(value) is annotation:
        return (info.min is None or value >= info.min) and (info.max is None or value <= info.max)
    return typing.get_origin(annotation) is list and type(value) is list and not value


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class DeferredConversion(RuntimeParam):
        """Typer's conversion of one parameter, built only for a value it would change."""

        descriptor: TypeDescriptor

        @functools.cached_property
        def typer_conversion(self) -> RuntimeParam:
            return build_runtime_param(self.descriptor)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if unchanged(self.descriptor, value):
                return value
            return self.typer_conversion._coerce_value(value, param=param, ctx=ctx)


def defer_conversions(params: list[Any]) -> None:
    """Give each of Typer's `params` not yet converted a `DeferredConversion` of its own."""
    if RuntimeParam is None:
        return
    for param in params:
        if isinstance(param, _TyperParameter) and getattr(param, "_runtime_param", 0) is None:
            descriptor = param.type_descriptor
            param._runtime_param = DeferredConversion(
                descriptor.parameter_info, descriptor.annotation, descriptor
            )


class DeferredConversions:
    """Gives a Typer command or group's parameters, its help option included, a
    `DeferredConversion` each (mixed in before Typer's class)."""

    params: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        defer_conversions(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        defer_conversions([option])
        return option


class FlagCommand(DeferredConversions, TyperCommand):
    """A Typer command whose parameters convert through `DeferredConversion`."""


class FlagGroup(DeferredConversions, TyperGroup):
    """A Typer group (its options come before the command) converting as `FlagCommand`."""
