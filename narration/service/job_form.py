"""The job options as multipart form fields, built from their one declaration
(`narration.job_options`): the native API's `POST /v1/jobs` and the console's submit form.

`form_endpoint(surface)` gives an endpoint one form field per option `surface` shows (the
spec's name, surface default and help) and hands it their raw values as `options`, a dict by
option name, for `job_options.validate`. With `files`, also the files given with a job
(`job_options.FILE_INPUTS`) as optional uploads, handed on as `uploads`.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any, Final

from fastapi import File, Form, UploadFile

from narration.job_options import FILE_INPUTS, options_on
from narration.option_spec import Option, Surface

_INJECTED: Final = ("options", "uploads")


def form_endpoint(
    surface: Surface, *, files: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the job options of `surface` to an endpoint as form fields, after its own."""

    def decorate(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        hints = typing.get_type_hints(endpoint)
        own = [
            parameter.replace(annotation=hints[parameter.name], kind=inspect.Parameter.KEYWORD_ONLY)
            for parameter in inspect.signature(endpoint).parameters.values()
            if parameter.name not in _INJECTED
        ]
        options = options_on(surface)
        added = [_field(item, surface) for item in options]
        if files:
            added += [_upload(item.name, item.help) for item in FILE_INPUTS]

        @functools.wraps(endpoint)
        def handle(**values: Any) -> Any:
            injected: dict[str, Any] = {
                "options": {item.name: values.pop(item.name) for item in options}
            }
            if files:
                injected["uploads"] = {item.name: values.pop(item.name) for item in FILE_INPUTS}
            return endpoint(**injected, **values)

        parameters = [*own, *added]
        handle.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            parameters, return_annotation=hints.get("return", inspect.Signature.empty)
        )
        handle.__annotations__ = {p.name: p.annotation for p in parameters}
        return handle

    return decorate


def _field(item: Option, surface: Surface) -> inspect.Parameter:
    if typing.get_origin(item.type) is tuple:
        raise TypeError(f"{item.name}: a form takes no list-valued option yet")
    return inspect.Parameter(
        item.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=Form(item.default_on(surface), description=item.spec.help),
        annotation=item.type,
    )


def _upload(name: str, help: str) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=File(None, description=help),
        annotation=UploadFile | None,
    )
