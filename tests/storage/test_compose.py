"""docker/compose.yaml, parsed (no Docker here): the services, scalable workers per queue, a GPU
per GPU worker, and the shared-storage settings in every container that touches files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker" / "compose.yaml"
S3_ENV = {
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
}


def services() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded["services"]


def queues(service: dict[str, Any]) -> str:
    command: list[str] = service["command"]
    return command[command.index("-Q") + 1]


def test_services_and_one_queue_per_worker_kind() -> None:
    found = services()
    assert {"postgres", "redis", "migrate", "web", "beat"} <= set(found)
    assert {name: queues(found[name]) for name in found if name.startswith("worker-")} == {
        "worker-default": "default",
        "worker-media": "media",
        "worker-gpu": "gpu",
        "worker-gpu-1": "gpu",
    }
    for name in ("worker-default", "worker-media", "worker-gpu", "worker-gpu-1"):
        command = found[name]["command"]
        assert command[command.index("--prefetch-multiplier") + 1] == "1"
        assert "container_name" not in found[name]  # a fixed name would forbid --scale


def test_media_workers_are_several_replicas() -> None:
    found = services()
    assert found["worker-media"]["deploy"]["replicas"] == "${WORKER_MEDIA_REPLICAS:-2}"
    assert found["worker-default"]["deploy"]["replicas"] == "${WORKER_DEFAULT_REPLICAS:-1}"


def test_each_gpu_worker_requests_its_own_gpu_and_runs_one_process() -> None:
    found = services()
    devices = {}
    for name in ("worker-gpu", "worker-gpu-1"):
        service = found[name]
        (device,) = service["deploy"]["resources"]["reservations"]["devices"]
        assert device["driver"] == "nvidia"
        assert device["capabilities"] == ["gpu"]
        devices[name] = device["device_ids"]
        command = service["command"]
        assert command[command.index("-c") + 1] == "1"
        assert service["environment"]["SPOTLAB_TORCH_DEVICE"] == "cuda"
    assert devices == {
        "worker-gpu": ["${SPOTLAB_GPU_0:-0}"],
        "worker-gpu-1": ["${SPOTLAB_GPU_1:-1}"],
    }
    assert found["worker-gpu-1"]["profiles"] == ["multi-gpu"]


def test_every_service_that_touches_files_gets_the_s3_settings() -> None:
    found = services()
    touching = [name for name in found if "SPOTLAB_DATA_DIR" in found[name].get("environment", {})]
    assert set(touching) == {
        "migrate",
        "web",
        "worker-default",
        "worker-media",
        "worker-gpu",
        "worker-gpu-1",
        "beat",
    }
    for name in touching:
        assert set(found[name]["environment"]) >= S3_ENV, name
