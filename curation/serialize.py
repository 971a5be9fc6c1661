"""Results of the pure curation modules as JSON-able values. Pure; no Django import.

Dataclasses become objects with their fields and their derived figures (precision, recall, F1,
support, spread), tuples lists, frozensets sorted lists, Fractions floats, and numpy scalars
plain numbers; None stays None (an undefined statistic is never turned into a number).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np

#: Derived figures worth storing beside a dataclass's fields.
_PROPERTIES = ("precision", "recall", "f1", "support", "spread")


def to_jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, np.ndarray):
        return [to_jsonable(item) for item in value.tolist()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {
            field.name: to_jsonable(getattr(value, field.name))
            for field in dataclasses.fields(value)
        }
        for name in _PROPERTIES:
            if name not in out and hasattr(type(value), name):
                out[name] = to_jsonable(getattr(value, name))
        return out
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(to_jsonable(item) for item in value)
    if isinstance(value, tuple | list):
        return [to_jsonable(item) for item in value]
    raise TypeError(f"cannot serialise {type(value).__name__}")
