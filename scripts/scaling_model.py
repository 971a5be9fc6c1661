"""A deployment model: worker-hours, storage, database size and worker counts for a project.

Every cost comes from a measurement in docs/benchmarks.md (named beside each constant) or from a
stated assumption (marked ASSUMED); docs/scaling.md prints the output with the command. Stdlib
only, so that it runs anywhere:

    python scripts/scaling_model.py                       # SDFE-LV-sized and 100x larger
    python scripts/scaling_model.py --videos 5000 --duration-min 10 --target-hours 48
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

# -- measured (docs/benchmarks.md, 2-core machine, no GPU) ----------------------------------------

#: Ingest (probe + proxy + sprite) of one minute of 720p30 video: 14.0-14.2 s wall on 2 cores
#: (bench_media). Counted as 2 busy cores, an upper bound on the CPU it takes.
INGEST_WALL_S_PER_720P_MINUTE = 14.2
INGEST_CORES = 2
#: compute_regional_motion at its defaults: 92.1 frames/s on one core (3.07x real time at 30 fps,
#: bench_inference). Its face crop is 224 px whatever the source size.
FEATURE_FRAMES_PER_CORE_S = 92.1
#: ColdStart/TrainedSpotter.spot: 18,000 frames in 0.16 s on one core (bench_inference).
SPOT_FRAMES_PER_CORE_S = 112_800.0
#: train_spotter on CPU, one thread: 0.087 s per epoch for 12 minutes of video, 60 epochs.
TRAIN_S_PER_EPOCH_PER_VIDEO_MINUTE = 0.087 / 12
TRAIN_EPOCHS = 60
#: Project agreement recompute: 1.72 s for 1,191 videos x 5 passes (bench_agreement).
AGREEMENT_S_PER_PASS = 1.72 / (1_191 * 5)
#: The nine export writers together: 2.7 s and 12.8 MiB for 1,191 videos, 3,573 consensus
#: expressions and 14,227 pass segments (bench_formats).
EXPORT_S_PER_PASS_SEGMENT = 2.7 / 14_227
EXPORT_BYTES_PER_PASS_SEGMENT = 12.8 * 2**20 / 14_227
#: Web CPU per working annotator: 200 annotators (an autosave every 4 s, an exact frame every
#: 10 s, the queue every 30 s) kept gunicorn at 0.58 cores, autosave p99 44 ms (bench_load).
WEB_CORES_PER_ANNOTATOR = 0.58 / 200

# -- assumed (not measured) --------------------------------------------------------------------

#: ASSUMED: x264 and decode time grow with the pixel count (720p is the measured point).
REFERENCE_PIXELS = 1280 * 720
#: ASSUMED: uploaded sources are camera or broadcast H.264 at 4 Mbit/s at 720p30.
SOURCE_BITS_PER_S_720P = 4.0e6
#: ASSUMED: the proxy (libx264 CRF 20, veryfast, a keyframe every 0.5 s, no B-frames, source
#: size: videos/media/proxy.py) of talking-head video averages 3 Mbit/s at 720p30.
PROXY_BITS_PER_S_720P = 3.0e6
#: Sprite: 100 tiles 90 px high, JPEG q80 (videos/media/sprite.py), ASSUMED 4 KB a tile; poster
#: at most 640 px wide, q85, ASSUMED 60 KB; probe JSON, ASSUMED 2 KB plus 10 bytes a frame (pts).
SPRITE_BYTES = 100 * 4_000
POSTER_BYTES = 60_000
PROBE_BYTES_BASE, PROBE_BYTES_PER_FRAME = 2_000, 10
#: Features .npz: float32 motion for 6 regions plus a bool mask per frame (uncompressed bound).
FEATURE_REGIONS = 6
FEATURE_BYTES_PER_FRAME = FEATURE_REGIONS * 4 + 1
#: ASSUMED PostgreSQL bytes a row, tuple header and index entries included.
ROW_BYTES = {
    "video": 1_500,  # sprite_meta JSON
    "assignment": 250,
    "segment": 300,  # AU array, emotion, notes
    "segment_change": 500,  # the audit row's before/after JSON
    "pass_event": 150,
    "vote": 120,
    "consensus_segment": 300,
    "video_agreement": 400,
    "job": 600,
    "job_event": 150,
}
#: ASSUMED: each segment is created and then edited 3 times (4 audit rows); 4 events a pass
#: (assigned, opened, submitted, reviewed); 2 Jobs a video (ingest, features), 4 events each;
#: 3 consensus versions kept, consensus has 1/4 the pass segments (3,573 / 14,227 measured).
CHANGES_PER_SEGMENT = 4
EVENTS_PER_PASS = 4
JOBS_PER_VIDEO, EVENTS_PER_JOB = 2, 4
CONSENSUS_VERSIONS = 3
CONSENSUS_PER_PASS_SEGMENT = 3_573 / 14_227
RELEASES_KEPT = 10


@dataclass(frozen=True)
class Workload:
    name: str
    videos: int
    mean_duration_s: float
    passes_per_video: int
    segments_per_pass: float
    width: int = 1280
    height: int = 720
    fps: float = 30.0
    votes_per_video: int = 0
    target_hours: float = 24.0
    cores_per_machine: int = 16
    concurrent_annotators: int = 50

    @property
    def frames(self) -> float:
        return self.videos * self.mean_duration_s * self.fps

    @property
    def pixel_factor(self) -> float:
        return self.width * self.height / REFERENCE_PIXELS

    @property
    def pass_segments(self) -> float:
        return self.videos * self.passes_per_video * self.segments_per_pass


@dataclass(frozen=True)
class Estimate:
    ingest_core_h: float
    features_core_h: float
    spotting_core_h: float
    training_cpu_h: float
    agreement_s: float
    exports_s: float
    source_bytes: float
    proxy_bytes: float
    sprite_poster_probe_bytes: float
    features_bytes: float
    releases_bytes: float
    database_rows: dict[str, float]
    database_bytes: float
    media_cores: int
    media_machines: int
    web_cores: int

    @property
    def media_core_h(self) -> float:
        return self.ingest_core_h + self.features_core_h + self.spotting_core_h

    @property
    def storage_bytes(self) -> float:
        return (
            self.source_bytes
            + self.proxy_bytes
            + self.sprite_poster_probe_bytes
            + self.features_bytes
            + self.releases_bytes
        )


def estimate(load: Workload) -> Estimate:
    """Costs of ``load``: core-hours per stage, bytes per kind of file, rows, and workers."""
    minutes = load.videos * load.mean_duration_s / 60
    # Ingest time per minute scales with pixels and with frame rate (30 fps was measured).
    ingest_core_s = (
        minutes * INGEST_WALL_S_PER_720P_MINUTE * INGEST_CORES * load.pixel_factor * load.fps / 30
    )
    features_core_s = load.frames / FEATURE_FRAMES_PER_CORE_S
    spotting_core_s = load.frames / SPOT_FRAMES_PER_CORE_S
    training_s = TRAIN_EPOCHS * minutes * TRAIN_S_PER_EPOCH_PER_VIDEO_MINUTE
    seconds = load.videos * load.mean_duration_s
    bitrate_scale = load.pixel_factor * load.fps / 30
    consensus = load.pass_segments * CONSENSUS_PER_PASS_SEGMENT
    passes = load.videos * load.passes_per_video
    rows = {
        "video": float(load.videos),
        "assignment": float(passes),
        "segment": load.pass_segments,
        "segment_change": load.pass_segments * CHANGES_PER_SEGMENT,
        "pass_event": float(passes * EVENTS_PER_PASS),
        "vote": float(load.videos * load.votes_per_video),
        "consensus_segment": consensus * CONSENSUS_VERSIONS,
        "video_agreement": float(load.videos * CONSENSUS_VERSIONS),
        "job": float(load.videos * JOBS_PER_VIDEO),
        "job_event": float(load.videos * JOBS_PER_VIDEO * EVENTS_PER_JOB),
    }
    media_cores = math.ceil(
        (ingest_core_s + features_core_s + spotting_core_s) / 3600 / load.target_hours
    )
    return Estimate(
        ingest_core_h=ingest_core_s / 3600,
        features_core_h=features_core_s / 3600,
        spotting_core_h=spotting_core_s / 3600,
        training_cpu_h=training_s / 3600,
        agreement_s=passes * AGREEMENT_S_PER_PASS,
        exports_s=load.pass_segments * EXPORT_S_PER_PASS_SEGMENT,
        source_bytes=seconds * SOURCE_BITS_PER_S_720P * bitrate_scale / 8,
        proxy_bytes=seconds * PROXY_BITS_PER_S_720P * bitrate_scale / 8,
        sprite_poster_probe_bytes=load.videos * (SPRITE_BYTES + POSTER_BYTES + PROBE_BYTES_BASE)
        + load.frames * PROBE_BYTES_PER_FRAME,
        features_bytes=load.frames * FEATURE_BYTES_PER_FRAME,
        releases_bytes=RELEASES_KEPT * load.pass_segments * EXPORT_BYTES_PER_PASS_SEGMENT,
        database_rows=rows,
        database_bytes=sum(rows[kind] * ROW_BYTES[kind] for kind in rows),
        media_cores=media_cores,
        media_machines=math.ceil(media_cores / load.cores_per_machine),
        # Half the cores left idle for bursts (the load benchmark's p99 held with two-thirds idle).
        web_cores=max(2, math.ceil(load.concurrent_annotators * WEB_CORES_PER_ANNOTATOR * 2)),
    )


SDFE_LV = Workload(
    name="SDFE-LV-sized",
    videos=1_191,
    mean_duration_s=120.0,
    passes_per_video=5,
    segments_per_pass=2.4,  # 14,227 pass segments / (1,191 x 5), as in bench_formats
)
HUNDREDFOLD = Workload(
    name="100x SDFE-LV",
    videos=119_100,
    mean_duration_s=120.0,
    passes_per_video=5,
    segments_per_pass=2.4,
    concurrent_annotators=500,
)


def _bytes(value: float) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= scale:
            return f"{value / scale:,.1f} {unit}"
    return f"{value:,.0f} B"


def _hours(value: float) -> str:
    return f"{value:,.2f} h" if value >= 0.01 else f"{value * 3600:,.1f} s"


def table(loads: list[Workload]) -> str:
    """A markdown table: one column per workload."""
    estimates = [estimate(load) for load in loads]
    lines: list[tuple[str, list[str]]] = [
        ("videos", [f"{load.videos:,}" for load in loads]),
        ("mean duration", [f"{load.mean_duration_s / 60:g} min" for load in loads]),
        ("resolution, fps", [f"{load.width}x{load.height}, {load.fps:g}" for load in loads]),
        (
            "passes x segments a pass",
            [f"{load.passes_per_video} x {load.segments_per_pass:g}" for load in loads],
        ),
        ("hours of video", [f"{load.videos * load.mean_duration_s / 3600:,.0f}" for load in loads]),
        ("ingest, core-hours", [_hours(e.ingest_core_h) for e in estimates]),
        ("features, core-hours", [_hours(e.features_core_h) for e in estimates]),
        ("pre-labelling (spotting), core-hours", [_hours(e.spotting_core_h) for e in estimates]),
        ("training, CPU (one thread)", [_hours(e.training_cpu_h) for e in estimates]),
        ("training, CUDA", ["not measured" for _ in estimates]),
        ("agreement recompute, one core", [f"{e.agreement_s:,.1f} s" for e in estimates]),
        ("all nine exports, one core", [f"{e.exports_s:,.1f} s" for e in estimates]),
        ("storage: sources", [_bytes(e.source_bytes) for e in estimates]),
        ("storage: proxies", [_bytes(e.proxy_bytes) for e in estimates]),
        (
            "storage: sprites, posters, probes",
            [_bytes(e.sprite_poster_probe_bytes) for e in estimates],
        ),
        ("storage: features (.npz)", [_bytes(e.features_bytes) for e in estimates]),
        (
            f"storage: {RELEASES_KEPT} releases, all formats",
            [_bytes(e.releases_bytes) for e in estimates],
        ),
        ("storage: total", [_bytes(e.storage_bytes) for e in estimates]),
        ("database rows", [f"{sum(e.database_rows.values()):,.0f}" for e in estimates]),
        ("database size", [_bytes(e.database_bytes) for e in estimates]),
        ("target turnaround (media)", [f"{load.target_hours:g} h" for load in loads]),
        ("media cores for the target", [f"{e.media_cores:,}" for e in estimates]),
        (
            "media machines",
            [
                f"{e.media_machines:,} x {load.cores_per_machine} cores"
                for e, load in zip(estimates, loads, strict=True)
            ],
        ),
        (
            "GPU workers",
            [
                "none needed: training fits on a CPU"
                if e.training_cpu_h < load.target_hours
                else "1 (one training job; CUDA speed not measured)"
                for e, load in zip(estimates, loads, strict=True)
            ],
        ),
        ("concurrent annotators", [f"{load.concurrent_annotators:,}" for load in loads]),
        ("web cores (50 % headroom)", [f"{e.web_cores:,}" for e in estimates]),
    ]
    header = "| | " + " | ".join(load.name for load in loads) + " |"
    rule = "|---|" + "---:|" * len(loads)
    body = [f"| {label} | " + " | ".join(values) + " |" for label, values in lines]
    return "\n".join([header, rule, *body])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int)
    parser.add_argument("--duration-min", type=float, default=2.0)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--segments", type=float, default=2.4, help="segments a pass")
    parser.add_argument("--height", type=int, default=720, help="16:9 assumed")
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--target-hours", type=float, default=24.0)
    parser.add_argument("--cores-per-machine", type=int, default=16)
    parser.add_argument("--annotators", type=int, default=50)
    args = parser.parse_args(argv)
    if args.videos is None:
        print(table([SDFE_LV, HUNDREDFOLD]))
        return
    load = Workload(
        name="this project",
        videos=args.videos,
        mean_duration_s=args.duration_min * 60,
        passes_per_video=args.passes,
        segments_per_pass=args.segments,
        width=round(args.height * 16 / 9 / 2) * 2,
        height=args.height,
        fps=args.fps,
        target_hours=args.target_hours,
        cores_per_machine=args.cores_per_machine,
        concurrent_annotators=args.annotators,
    )
    print(table([load]))


if __name__ == "__main__":
    main()
