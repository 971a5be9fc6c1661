"""Spotters: from regional facial motion to proposed expression intervals.

* :mod:`.coldstart`: training-free motion peaks (:class:`ColdStartSpotter`, :func:`calibrate`).
* :mod:`.network`: the trainable torch spotter (``train_spotter``, ``TrainedSpotter``); not
  imported here so that code that only needs the cold start never imports torch.
* :mod:`.decode`: per-frame scores to intervals (:class:`Proposal`).
* :mod:`.synthetic`: synthetic motion with known expressions, for tests and benchmarks.

Intervals are inclusive 0-based frames; every parameter is in seconds, converted with fps.
"""

from inference.spotters.coldstart import ColdStartParams, ColdStartSpotter, calibrate
from inference.spotters.decode import DecodeParams, Proposal, Truth

__all__ = [
    "ColdStartParams",
    "ColdStartSpotter",
    "DecodeParams",
    "Proposal",
    "Truth",
    "calibrate",
]
