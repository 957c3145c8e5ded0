"""The Celery configuration every process of the project shares: workers, the HTTP service, and
the CLI, which sends jobs through an app of its own (`workers.sender`). JSON only, late acks,
prefetch 1; queues `stitch` and one per engine kind (`synth` for piper, `synth-torch` for torch).
"""

from __future__ import annotations

from typing import Any, Final

from kombu import Exchange, Queue

from narration.adapters import redis_clients
from narration.connections import Services
from narration.engines.registry import queues
from narration.settings import Settings

PUBLISH_RETRIES: Final = 20


def celery_config(services: Services, settings: Settings) -> dict[str, Any]:
    transport = {
        "visibility_timeout": settings.visibility_timeout_s,
        "socket_timeout": 30,
        "socket_connect_timeout": 10,
        "retry_on_timeout": True,
        "health_check_interval": 10,
    }
    config: dict[str, Any] = {
        "broker_url": services.broker_url,
        "result_backend": services.broker_url,
        "broker_transport_options": transport,
        "result_backend_transport_options": {"retry_policy": {"timeout": 30.0}},
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_queues": [
            Queue(name, Exchange(name), routing_key=name) for name in (*queues(), "stitch", "proof")
        ],
        "task_default_queue": "synth",
        "task_routes": {
            "narration.synth": {"queue": "synth", "routing_key": "synth"},
            "narration.part": {"queue": "stitch", "routing_key": "stitch"},
            "narration.stitch": {"queue": "stitch", "routing_key": "stitch"},
            "narration.hls": {"queue": "stitch", "routing_key": "stitch"},
            "narration.proof": {"queue": "proof", "routing_key": "proof"},
            "narration.proofed": {"queue": "stitch", "routing_key": "stitch"},
        },
        "result_expires": 7 * 24 * 3600,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        "task_track_started": False,
        "broker_pool_limit": 4,
        # A chain's next step and a retry are published by the task's process after its work;
        # Celery's default gives up after about half a second, which lost the rest of a chain
        # when the broker restarted (bench/soak.py). About 80 s of tries covers a restart.
        "task_publish_retry_policy": {
            "max_retries": PUBLISH_RETRIES,
            "interval_start": 0,
            "interval_step": 1,
            "interval_max": 5,
        },
    }
    broker_tls = redis_clients.ssl_options(services.broker())
    if broker_tls:
        # rediss://: tasks and results verify the broker's certificate like every other client.
        config["broker_use_ssl"] = broker_tls
        config["redis_backend_use_ssl"] = broker_tls
    return config
