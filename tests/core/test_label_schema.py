"""The label schema: defaults, presets, and validation that names the field."""

from __future__ import annotations

import pytest

from core.label_schema import DFEW_EMOTIONS, SchemaError, validate_schema
from tests.conftest import api_client


def test_defaults_and_presets() -> None:
    schema = validate_schema({})
    assert schema["expression_types"] == [
        {"name": "macro", "code": 1},
        {"name": "micro", "code": 2},
    ]
    assert [(e["name"], e["code"]) for e in schema["emotions"]] == list(DFEW_EMOTIONS)
    assert schema["apex"] is True
    assert "AU12" in schema["action_units"]
    casme = validate_schema({"emotion_preset": "casme2", "apex": False})
    assert [e["name"] for e in casme["emotions"]] == ["positive", "negative", "surprise", "others"]
    assert casme["apex"] is False
    assert validate_schema({"emotion_preset": "none"})["emotions"] == []


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"expression_types": []}, "expression_types"),
        ({"expression_types": [{"name": "Macro", "code": 1}]}, "expression_types.0.name"),
        ({"emotions": [{"name": "a", "code": 1}, {"name": "b", "code": 1}]}, "emotions.1.code"),
        ({"action_units": ["AU12", "smile"]}, "action_units"),
        ({"apex": "yes"}, "apex"),
        ({"colour": "red"}, "colour"),
        ({"emotion_preset": "fer2013"}, "emotion_preset"),
    ],
)
def test_invalid_schemas_name_the_field(raw, field) -> None:
    with pytest.raises(SchemaError) as caught:
        validate_schema(raw)
    assert field in caught.value.fields


@pytest.mark.django_db
def test_api_validates_and_stores_the_normalised_schema(people) -> None:
    client = api_client(people["owner"])
    bad = client.post(
        "/api/v1/projects/",
        {"name": "X", "slug": "x", "label_schema": {"action_units": ["AU1", "nose"]}},
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_schema"
    assert list(bad.json()["fields"]) == ["label_schema.action_units"]
    good = client.post(
        "/api/v1/projects/",
        {"name": "X", "slug": "x", "label_schema": {"emotion_preset": "casme2"}},
    )
    assert good.status_code == 201
    assert good.json()["label_schema"]["emotions"][0] == {"name": "positive", "code": 1}
    patched = client.patch("/api/v1/projects/x/", {"label_schema": {"guidelines": "Mark onsets."}})
    assert patched.json()["label_schema"]["guidelines"] == "Mark onsets."
