"""A long text through boto3's Polly client gives the same MP3 in S3 as `narrate submit`.

The issue's acceptance check, too long for the test suite (two full renders of 30,000
characters, generated to exactly that length): a private stack and `narrate serve`;
StartSpeechSynthesisTask with the text, polled to `completed`, the object read with boto3's S3
client; then the chunk cache is emptied (so the CLI's job renders every chunk again,
independently) and the same text, saved as `task.txt` (the Polly task's document name, so both
take the same title tag), goes through `narrate submit` and `narrate fetch`. The two files must
be byte-identical. (The test suite checks the same on a short text:
tests/integration/test_service.py.)

    python bench/polly_identity.py --chars 30000
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stack import BenchStack, clean_environ
from essay import text_of_length
from hls import start_serve
from report import load_note
from timed_jobs import empty_cache

from narration import stack
from narration.connections import resolve
from narration.settings import child_environment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=30_000)
    args = parser.parse_args(argv)
    text = text_of_length(args.chars)
    print(f"# {len(text):,} characters; {load_note()}", file=sys.stderr)
    with BenchStack.running() as bs, tempfile.TemporaryDirectory() as tmp:
        bs.start_workers(1, concurrency=stack.processes_per_worker(1))
        services = resolve(bs.settings)
        with start_serve(bs) as api:
            # Typed as Any: the stubs allow only Amazon's voice names.
            polly: Any = boto3.client(
                "polly",
                endpoint_url=api,
                region_name="us-east-1",
                aws_access_key_id="unused",
                aws_secret_access_key="unused",
            )
            started = time.monotonic()
            task = polly.start_speech_synthesis_task(
                Text=text,
                VoiceId="en_US-joe-medium",
                OutputFormat="mp3",
                OutputS3BucketName=services.bucket,
                OutputS3KeyPrefix="identity/",
            )["SynthesisTask"]
            while task["TaskStatus"] not in ("completed", "failed"):
                time.sleep(2)
                task = polly.get_speech_synthesis_task(TaskId=task["TaskId"])["SynthesisTask"]
            polly_s = time.monotonic() - started
        if task["TaskStatus"] != "completed":
            raise SystemExit(f"Polly task failed: {task.get('TaskStatusReason')}")
        s3 = boto3.client(
            "s3",
            endpoint_url=services.s3_endpoint,
            region_name="us-east-1",
            aws_access_key_id=services.s3_access_key,
            aws_secret_access_key=services.s3_secret_key,
        )
        bucket, key = task["OutputUri"].split(f"{services.s3_endpoint}/", 1)[1].split("/", 1)
        from_polly = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        emptied = empty_cache(bs.settings)
        document = Path(tmp) / "task.txt"
        document.write_text(text)
        output = Path(tmp) / "cli.mp3"
        env = child_environment(bs.settings, base=clean_environ())
        started = time.monotonic()
        narrate = [sys.executable, "-m", "narration.cli.main"]
        submitted = subprocess.run(
            [*narrate, "submit", str(document), "--wait", "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        job_id = submitted.stdout.split('"job_id": "', 1)[1].split('"', 1)[0]
        subprocess.run([*narrate, "fetch", job_id, "-o", str(output)], env=env, check=True)
        cli_s = time.monotonic() - started
        from_cli = output.read_bytes()
    same = from_cli == from_polly
    print(
        f"Polly task {polly_s:.0f} s, {len(from_polly):,} bytes, sha256 "
        f"{hashlib.sha256(from_polly).hexdigest()[:16]}; cache emptied ({emptied} objects); "
        f"CLI {cli_s:.0f} s, {len(from_cli):,} bytes, sha256 "
        f"{hashlib.sha256(from_cli).hexdigest()[:16]}; identical: {'yes' if same else 'NO'}"
    )
    print(f"# {load_note()}", file=sys.stderr)
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
