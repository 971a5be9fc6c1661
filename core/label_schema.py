"""A project's label schema: what annotators may put on a segment. Pure; no Django import.

The schema is stored on the project as JSON and validated (and normalised) on every save::

    {
      "expression_types": [{"name": "macro", "code": 1}, {"name": "micro", "code": 2}],
      "emotions": [{"name": "happy", "code": 1}, ...],   # may be empty
      "action_units": ["AU1", "AU2", "AU4", ...],         # may be empty
      "au_intensity": false,                              # FACS intensity A-E per AU
      "apex": true,                                       # annotators mark an apex frame
      "note": true,                                       # a free note per segment
      "guidelines": "Markdown shown to annotators"
    }

Names are the lowercase labels stored on segments; codes are what benchmark files use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: DFEW's seven classes with their codes in DFEW's label files.
DFEW_EMOTIONS = (
    ("happy", 1),
    ("sad", 2),
    ("neutral", 3),
    ("angry", 4),
    ("surprise", 5),
    ("disgust", 6),
    ("fear", 7),
)
#: The emotion categories of the CAS(ME)^2 spotting sheets.
CASME2_EMOTIONS = (("positive", 1), ("negative", 2), ("surprise", 3), ("others", 4))
EMOTION_PRESETS: dict[str, tuple[tuple[str, int], ...]] = {
    "dfew": DFEW_EMOTIONS,
    "casme2": CASME2_EMOTIONS,
    "none": (),
}
DEFAULT_TYPES = (("macro", 1), ("micro", 2))
#: The action units most spotting datasets code (FACS numbering).
DEFAULT_ACTION_UNITS = (
    "AU1", "AU2", "AU4", "AU5", "AU6", "AU7", "AU9", "AU10", "AU12", "AU14", "AU15", "AU17",
    "AU20", "AU23", "AU24", "AU25", "AU26", "AU43",
)  # fmt: skip
AU_INTENSITIES = ("A", "B", "C", "D", "E")

#: The vote of a clip that shows no usable face; never a class name.
UNUSABLE = "unusable"

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_AU = re.compile(r"^AU\d{1,2}[LR]?$")


class SchemaError(ValueError):
    """The schema is invalid; ``fields`` maps dotted paths to messages."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {value}" for key, value in fields.items()))
        self.fields = fields


def default_schema(emotion_preset: str = "dfew") -> dict[str, Any]:
    return {
        "expression_types": [{"name": n, "code": c} for n, c in DEFAULT_TYPES],
        "emotions": [{"name": n, "code": c} for n, c in EMOTION_PRESETS[emotion_preset]],
        "action_units": list(DEFAULT_ACTION_UNITS),
        "au_intensity": False,
        "apex": True,
        "note": True,
        "guidelines": "",
    }


def _labels(value: Any, path: str, errors: dict[str, str]) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        errors[path] = "Must be a list of {name, code}."
        return []
    out: list[dict[str, Any]] = []
    names: set[str] = set()
    codes: set[int] = set()
    for index, item in enumerate(value):
        where = f"{path}.{index}"
        if not isinstance(item, Mapping):
            errors[where] = "Must be an object with name and code."
            continue
        name, code = item.get("name"), item.get("code")
        if not isinstance(name, str) or not _NAME.match(name):
            errors[f"{where}.name"] = "Lowercase letters, digits and _ (at most 32), e.g. 'happy'."
            continue
        if isinstance(code, bool) or not isinstance(code, int):
            errors[f"{where}.code"] = "Must be an integer (the benchmark's code)."
            continue
        if name == UNUSABLE:
            errors[f"{where}.name"] = f"'{UNUSABLE}' is reserved for clips without a usable face."
        if name in names:
            errors[f"{where}.name"] = f"'{name}' appears twice."
        if code in codes:
            errors[f"{where}.code"] = f"Code {code} appears twice."
        names.add(name)
        codes.add(code)
        out.append({"name": name, "code": code})
    return out


def validate_schema(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """The normalised schema, or ``SchemaError`` naming every bad field.

    Missing keys take the defaults (macro/micro types, DFEW emotions, common AUs); an
    ``emotion_preset`` key ("dfew", "casme2", "none") fills ``emotions``.
    """
    raw = dict(raw or {})
    errors: dict[str, str] = {}
    preset = raw.pop("emotion_preset", None)
    if preset is not None and preset not in EMOTION_PRESETS:
        errors["emotion_preset"] = f"One of {', '.join(EMOTION_PRESETS)}."
        preset = None
    schema = default_schema(preset or "dfew")
    unknown = set(raw) - set(schema)
    for key in sorted(unknown):
        errors[key] = "Unknown key."
    if "expression_types" in raw:
        schema["expression_types"] = _labels(raw["expression_types"], "expression_types", errors)
        if not schema["expression_types"] and "expression_types" not in errors:
            errors["expression_types"] = "At least one expression type is needed."
    if "emotions" in raw:
        schema["emotions"] = _labels(raw["emotions"], "emotions", errors)
    if "action_units" in raw:
        units = raw["action_units"]
        if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
            errors["action_units"] = "Must be a list of FACS codes such as 'AU12'."
        else:
            bad = [u for u in units if not _AU.match(u)]
            if bad:
                errors["action_units"] = f"Not FACS codes: {', '.join(bad)} (e.g. AU12, AU4L)."
            elif len(set(units)) != len(units):
                errors["action_units"] = "An action unit appears twice."
            schema["action_units"] = list(units)
    for flag in ("au_intensity", "apex", "note"):
        if flag in raw:
            if not isinstance(raw[flag], bool):
                errors[flag] = "Must be true or false."
            else:
                schema[flag] = raw[flag]
    if "guidelines" in raw:
        if not isinstance(raw["guidelines"], str) or len(raw["guidelines"]) > 50_000:
            errors["guidelines"] = "Must be text of at most 50,000 characters."
        else:
            schema["guidelines"] = raw["guidelines"]
    if errors:
        raise SchemaError(errors)
    return schema
