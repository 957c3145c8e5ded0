"""The job options' one declaration against every surface it names: a new option that a surface
lacks, or shows with another default, fails here. Nothing here reaches the broker or storage."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import typing
from typing import Any, Final, get_args

import pytest
import typer
from fastapi.testclient import TestClient

from narration import jobs
from narration.cli.job_flags import JobFiles
from narration.cli.main import app
from narration.errors import InputError
from narration.job_options import FILE_INPUTS, OPTIONS, SubmitRequest, options_on, validate
from narration.option_spec import Option, Surface
from narration.pipeline.formats import FORMATS
from narration.pipeline.ingest.policy import DEFAULT_TABLE_MAX_ROWS, ReadingOptions
from narration.pipeline.plan import MAX_SPEED, MIN_SPEED, JobOptions
from narration.pipeline.presets import DEFAULT_PRESET
from narration.service import openai_compat
from narration.service.app import create_app
from narration.service.polly.synthesis_request import SynthesisRequest, submit_request
from narration.settings import Settings

FLAG_COMMANDS: Final = {Surface.SUBMIT: "submit", Surface.RUN: "run", Surface.INSPECT: "inspect"}
OWN_FLAGS: Final = {
    "submit": {"--wait", "--json"},
    "run": {"--output", "--workers", "--wait"},
    "inspect": {"--json", "--chunks", "--spoken", "--report"},
}
"""Each command's flags that are not job options."""
VOICE: Final = "en_US-joe-medium"
RECORDED: Final[dict[str, tuple[Any, Any]]] = {
    "voice": (VOICE, VOICE),
    "format": ("mp3", "mp3"),
    "title": (" A title ", "A title"),
    "author": ("An author", "An author"),
    "output": ("s3://bucket/book.mp3", "s3://bucket/book.mp3"),
    "loudness": (-20.0, -20.0),
    "bitrate": ("96k", "96k"),
    "chapters": ("1", "1"),
    "split_chapters": (True, True),
    "seed": (7, 7),
    "speed": (1.5, 1.5),
    "hls": (True, True),
    "lexicons": (("names",), ("names",)),
    "engine": ("torch", "torch"),
    "master": ("ebu", "ebu"),
    "strict": (True, True),
    "opening_credits": ("Read by a voice.", True),
    "closing_credits": ("The end.", True),
    "retail_sample": (True, True),
    "proof": (True, True),
}
"""A value for each option the job record keeps, and what the record holds for it (with
settings whose defaults are none of these)."""
HEAVY: Final = {"numpy", "scipy", "boto3", "celery", "pydantic", "fastapi", "typer", "redis"}
RECORD_SETTINGS: Final = Settings(voice="nobody", format="wav", loudness_lufs=-16.0)


def _click_command(name: str) -> Any:
    """The command as `--help` renders it (Typer's own click)."""
    return typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]


def _flags(command: Any) -> dict[str, Any]:
    return {opt: param for param in command.params for opt in param.opts if opt.startswith("--")}


def _cli_default(item: Option, surface: Surface) -> Any:
    default = item.default_on(surface)
    return list(default) if isinstance(default, tuple) else default


@pytest.mark.parametrize("surface", list(FLAG_COMMANDS))
def test_each_command_has_exactly_the_options_its_surface_shows(surface: Surface) -> None:
    name = FLAG_COMMANDS[surface]
    flags = _flags(_click_command(name))
    for item in options_on(surface):
        assert item.flag in flags, f"{name} lacks {item.flag}"
        param = flags[item.flag]
        assert param.name == item.name
        assert param.default == _cli_default(item, surface), (name, item.flag)
        assert param.help == item.spec.help
    files = {f"--{item.name}" for item in FILE_INPUTS} if surface is not Surface.INSPECT else set()
    expected = {item.flag for item in options_on(surface)} | files | OWN_FLAGS[name]
    assert set(flags) - {"--help"} == expected


def test_the_cli_hands_on_every_file_input() -> None:
    assert [f.name for f in dataclasses.fields(JobFiles)] == [f.name for f in FILE_INPUTS]


def test_run_takes_every_flag_of_submit_but_json() -> None:
    submit, run = _flags(_click_command("submit")), _flags(_click_command("run"))
    assert set(submit) - set(run) == {"--json"}
    assert run["--hls"].default is False


@pytest.mark.parametrize("item", [i for i in OPTIONS if i.spec.choices], ids=lambda i: i.name)
def test_choices_are_checked_and_named_as_each_surface_spells_them(item: Option) -> None:
    for choice in item.spec.choices:
        assert getattr(validate({item.name: choice}, Surface.SUBMIT), item.name) == choice
    with pytest.raises(InputError, match=f"^{item.flag} must be one of"):
        validate({item.name: "sometimes"}, Surface.SUBMIT)
    with pytest.raises(InputError, match=f"^{item.name} must be one of"):
        validate({item.name: "sometimes"}, Surface.NATIVE)


def test_bounds_and_types_are_checked() -> None:
    bounded = [item for item in OPTIONS if item.spec.minimum is not None]
    assert bounded
    for item in bounded:
        assert item.spec.minimum is not None
        with pytest.raises(InputError, match=f"^{item.name} must be at least"):
            validate({item.name: item.spec.minimum - 1}, Surface.NATIVE)
    with pytest.raises(InputError, match=r"^--seed must be a whole number, not 'x'"):
        validate({"seed": "x"}, Surface.SUBMIT)
    assert validate({"seed": "7", "hls": "true", "speed": "2"}, Surface.CONSOLE) == SubmitRequest(
        seed=7, hls=True, speed=2.0
    )


def test_the_spec_agrees_with_the_pipeline() -> None:
    by_name = {item.name: item for item in OPTIONS}
    reading = typing.get_type_hints(ReadingOptions)
    assert by_name["code"].spec.choices == get_args(reading["code"])
    assert by_name["footnotes"].spec.choices == get_args(reading["footnotes"])
    assert by_name["table_max_rows"].default == DEFAULT_TABLE_MAX_ROWS
    assert by_name["master"].default == DEFAULT_PRESET
    assert (by_name["speed"].spec.minimum, by_name["speed"].spec.maximum) == (MIN_SPEED, MAX_SPEED)
    assert set(by_name["format"].spec.help.replace(" or ", ", ").split(" (")[0].split(", ")) == set(
        FORMATS
    )


def _native_fields() -> dict[str, Any]:
    """The native API's submit form as its OpenAPI schema publishes it."""
    schema = create_app(Settings()).openapi()
    body = schema["components"]["schemas"]["Body_submit_job_v1_jobs_post"]
    return dict(body["properties"])


def test_the_native_api_has_exactly_the_options_its_surface_shows() -> None:
    fields = _native_fields()
    for item in options_on(Surface.NATIVE):
        assert item.name in fields, f"the native API lacks {item.name}"
        assert fields[item.name].get("default") == item.default_on(Surface.NATIVE), item.name
        assert fields[item.name]["description"] == item.spec.help
    files = {item.name for item in FILE_INPUTS}
    assert set(fields) == {item.name for item in options_on(Surface.NATIVE)} | files | {"document"}


def test_the_native_api_grows_hls_by_default_and_submit_does_not() -> None:
    assert _native_fields()["hls"]["default"] is True
    assert _flags(_click_command("submit"))["--hls"].default is False


def _console() -> TestClient:
    return TestClient(create_app(Settings()), base_url="https://localhost")


def test_the_console_form_shows_its_options() -> None:
    page = _console().get("/console/submit")
    assert page.status_code == 200
    for item in OPTIONS:
        shown = f'name="{item.name}"' in page.text
        assert shown == (Surface.CONSOLE in item.spec.surfaces), item.name
        if shown:
            assert item.spec.label and f">{item.spec.label}</label>" in page.text


def test_the_console_takes_every_option_its_form_shows() -> None:
    """A refused submission shows the form as it was filled in: each value came through."""
    given = {"voice": VOICE, "format": "flac", "split_chapters": "true", "proof": "true"}
    given |= {
        item.name: f"given {item.name}"
        for item in options_on(Surface.CONSOLE)
        if item.name not in given
    }
    assert set(given) == {item.name for item in options_on(Surface.CONSOLE)}
    page = _console().post("/console/submit", data={**given, "text": " "})
    assert page.status_code == 400 and "choose a document" in page.text
    for name, value in given.items():
        if value == "true":
            assert re.search(f'name="{name}"[^>]*checked', page.text), name
        elif name in ("voice", "format"):
            assert f'<option value="{value}" selected>' in page.text, name
        else:
            assert f'name="{name}" value="{value}"' in page.text, name


def test_the_polly_mapping_carries_every_option_it_names() -> None:
    items = options_on(Surface.POLLY)
    assert all(item.spec.polly in SynthesisRequest.model_fields for item in items)
    fields = {"VoiceId": VOICE, "OutputFormat": "ogg_vorbis", "LexiconNames": ["names"]}
    fields |= {"TextType": "ssml"}
    assert {item.spec.polly for item in items} == set(fields)
    request = submit_request(fields)
    assert request == SubmitRequest(
        voice=VOICE, format="ogg", lexicons=("names",), text_type="ssml"
    )


def test_the_openai_mapping_carries_every_option_it_names() -> None:
    items = options_on(Surface.OPENAI)
    assert all(item.spec.openai in openai_compat.SpeechRequest.model_fields for item in items)
    body = openai_compat.SpeechRequest(
        model="tts-1", input="Hello.", voice=VOICE, response_format="flac", speed=2.0
    )
    # OpenAI's speed is not the job's speaking rate: the answer is time-stretched by it.
    assert {item.spec.openai for item in items} == {"voice", "response_format"}
    request = openai_compat.submit_request(body, {VOICE}, VOICE)
    assert request == SubmitRequest(voice=VOICE, format="flac")


def test_the_job_record_keeps_every_option_it_names() -> None:
    items = options_on(Surface.RECORD)
    assert {item.name for item in items} == set(RECORDED), "give the new option a value here"
    request = SubmitRequest(**{name: given for name, (given, _) in RECORDED.items()})
    options, _ = jobs.job_options(RECORD_SETTINGS, request)
    stored = json.loads(json.dumps(dataclasses.asdict(options)))
    for item in items:
        assert stored[item.record] == json.loads(json.dumps(RECORDED[item.name][1])), item.name
    restored = JobOptions(
        **stored | {"lexicons": tuple(stored["lexicons"]), "cast": tuple(stored["cast"])}
    )
    assert restored == options


def test_the_spec_is_light_to_import() -> None:
    """`narrate --help` reads it: nothing but the standard library and our error tree."""
    script = "import sys, narration.job_options; print(' '.join(sorted(sys.modules)))"
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert {m for m in loaded if m.startswith("narration")} == {
        "narration",
        "narration.errors",
        "narration.job_options",
        "narration.option_spec",
    }
    assert not loaded & HEAVY
