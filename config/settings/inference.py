"""The face pipeline's parameters and where torch runs (see docs/face-pipeline.md)."""

from config.settings.env import env

# Every duration in seconds, so that one setting covers 25, 30 and 200 fps video alike.
SPOTLAB_FEATURE_PARAMS = {
    "step_s": env.float("SPOTLAB_FEATURE_STEP_S", default=0.1),
    "reanchor_s": env.float("SPOTLAB_FEATURE_REANCHOR_S", default=2.0),
    "detect_every_s": env.float("SPOTLAB_FEATURE_DETECT_EVERY_S", default=0.5),
    "crop_px": env.int("SPOTLAB_FEATURE_CROP_PX", default=224),
}
# "auto": CUDA when the worker has a GPU, else the CPU; or "cpu", "cuda", "cuda:1"...
SPOTLAB_TORCH_DEVICE = env.str("SPOTLAB_TORCH_DEVICE", default="auto")
