"""Run the reader of one source table by its key, as the ingest does (shared by the CSV tests)."""

from __future__ import annotations

from pathlib import Path

from pvd_kg.ingest import anct, epci, insee, ort
from pvd_kg.ingest.tables import Tally


def run_reader(key: str, path: Path, tally: Tally, cog, codes: set[str]):
    """The rows ``key``'s reader keeps from ``path``; its issues go to ``tally``.

    :param cog: the COG the programme lists are checked against.
    :param codes: the communes whose EPCI membership is wanted.
    """
    readers = {
        "anct-pvd-2021": lambda: anct.read_pvd_2021(path, tally, cog),
        "anct-pvd-2026": lambda: anct.read_pvd_2026(path, tally, cog),
        "anct-acv-2024": lambda: anct.read_acv(path, tally, cog),
        "dgaln-ort-2024": lambda: ort.read_ort(path, tally, cog),
        "insee-cog-2024": lambda: insee.read_cog(path, tally),
        "insee-arr-2025": lambda: insee.read_arrondissements(path, tally),
        "insee-departements": lambda: insee.read_departements(path, tally),
        "epci-com-2023": lambda: epci.read_memberships(path, tally, codes),
        "epci-list-2023": lambda: epci.read_epci_list(path, tally),
    }
    return readers[key]()
