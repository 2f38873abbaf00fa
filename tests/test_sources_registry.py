"""pvd_kg.sources_registry: one consistent entry per source key."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from pvd_kg.errors import FetchError
from pvd_kg.sources_registry import SOURCES, get_source

EXPECTED_KEYS = {"anct-pvd-2021", "anct-pvd-2026", "anct-acv-2024", "dgaln-ort-2024", "insee-cog-2024",
                 "insee-departements", "epci-com-2023", "epci-list-2023", "anct-ngeo-2023"}


def test_the_registry_holds_the_agreed_keys():
    assert set(SOURCES) == EXPECTED_KEYS
    assert all(key == source.key and source.filename == f"{key}.csv" for key, source in SOURCES.items())


@pytest.mark.parametrize("key", sorted(EXPECTED_KEYS))
def test_each_entry_is_complete(key):
    source = SOURCES[key]
    assert source.title and source.publisher and source.licence.startswith("https://")
    assert source.columns and len(set(source.columns)) == len(source.columns)
    if source.url is None:
        assert "no live URL" in source.note
    else:
        assert urlparse(source.url).scheme == "https"


def test_the_pvd_list_is_the_data_gouv_resource():
    assert get_source("anct-pvd-2026").url.endswith("/datasets/r/1fa831ec-d912-4277-8b95-a8b998bf951e")


def test_an_unknown_key_lists_the_known_ones():
    with pytest.raises(FetchError, match="unknown source 'pvd'") as info:
        get_source("pvd")
    assert "anct-pvd-2026" in info.value.hint
