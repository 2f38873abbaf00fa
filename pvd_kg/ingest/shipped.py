"""The source snapshots shipped in ``graph/sources/``: file name, how to read it, where it came from.

Titles, publishers and live URLs come from :mod:`pvd_kg.sources_registry`; this table adds what
the ingest needs about the shipped copy. A folder may hold either the shipped name or the
download name ``{key}.csv`` written by ``pvd-kg fetch``; :func:`source_path` takes the download
when present.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import SourceDataError


@dataclass(frozen=True)
class Shipped:
    """One shipped snapshot.

    :param key: the source key (also the named graph ``pvdg:{key}``).
    :param file: the shipped file name under ``graph/sources/``.
    :param snapshot: the vintage as an ISO prefix (``2024-01-01``, ``2021-01``, ``2023``).
    :param origin: where the copy was taken from (repository and commit, or data.gouv resource).
    :param derived: how the file differs from its upstream, empty if copied unchanged.
    """

    key: str
    file: str
    publisher: str
    title: str
    snapshot: str
    origin: str
    delimiter: str = ","
    derived: str = ""


SHIPPED: dict[str, Shipped] = {s.key: s for s in [
    Shipped("anct-pvd-2021", "pvd_communes_2021-01.csv", "anct",
            "Petites villes de demain : liste des communes (janvier 2021)", "2021-01",
            "https://github.com/anct-carto/pvd"),
    Shipped("anct-pvd-2026", "pvd_communes_2026_derived.csv", "anct",
            "Petites villes de demain : liste des communes et date de la convention d'adhésion (2026)",
            "2026-04-27", "https://www.data.gouv.fr/fr/datasets/r/1fa831ec-d912-4277-8b95-a8b998bf951e",
            derived="Rebuilt from bpineau/gazetteer anct_programmes.json (commune, label, pvd_signed_at) "
                    "joined with id_pvd of the ANCT COG 2023 crosswalk; column label_source added."),
    Shipped("anct-acv-2024", "acv_communes_2024-09.csv", "anct",
            "Action cœur de ville : communes et date de la convention (septembre 2024)", "2024-09-09",
            "https://github.com/anct-carto/action_coeur_de_ville/blob/fb24f6b6c9263cf9b23870375bb70d66c849bff2/data/coeurdeville.js",
            derived="GeoJSON of the JS file converted to CSV; lon/lat taken from the point geometry."),
    Shipped("dgaln-ort-2024", "ort_conventions_2024-10.csv", "dgaln",
            "Liste des communes couvertes par des opérations de revitalisation de territoire",
            "2024-10-07",
            "https://github.com/MTES-MCT/zero-logement-vacant/blob/ec979043807a005cb361895ca4624eeb584d7ab0/analytics/dbt/seeds/ort.csv",
            derived="Column 'Actualisé par' (names of State agents, already censored) dropped."),
    Shipped("insee-cog-2024", "cog_communes_2024.csv", "insee",
            "Code officiel géographique au 1er janvier 2024 : communes", "2024-01-01",
            "https://github.com/MTES-MCT/zero-logement-vacant/blob/e56c972da0b069035c69ef2b4e632c86fae59f63/analytics/dbt/seeds/cog_20240101.csv"),
    Shipped("insee-arr-2025", "cog_arrondissements_2025.csv", "insee",
            "Code officiel géographique au 1er janvier 2025 : arrondissements", "2025-01-01",
            "https://github.com/sfaut/data-cog/blob/9eb6be77e3283e33cb1b5380f8230e27f1ab7df5/v2025/cog-arrondissements@2025.csv",
            derived="Columns code, department_code, capital_code, name of the origin kept, renamed to INSEE's "
                    "ARR, DEP, CHEFLIEU, LIBELLE; rows unchanged. Its 333 codes are exactly those of COG 2024."),
    Shipped("insee-departements", "departements_france.csv", "insee",
            "Départements et régions de France", "2023",
            "https://github.com/MTES-MCT/zero-logement-vacant/blob/c5244255c0913013c06af1486a37e42036e1e386/analytics/dbt/seeds/departements_france.csv"),
    Shipped("epci-com-2023", "com_epci_dep_reg_2023.csv", "dgcl",
            "Communes, EPCI, départements et régions avec leur SIREN (2023)", "2023",
            "https://github.com/MTES-MCT/zero-logement-vacant/blob/354ea577f7a21868693781075be4a011529efa37/analytics/dbt/seeds/com_epci_dep_reg.csv",
            delimiter=";"),
    Shipped("epci-list-2023", "epci_list_2023_derived.csv", "dgcl",
            "Liste des EPCI (2023, dérivée)", "2023",
            "https://github.com/MTES-MCT/zero-logement-vacant/blob/d03aa24ff0eef275455213d09345b6ade3abd7c5/analytics/dbt/seeds/nature_juridique.csv",
            derived="Distinct EPCI of epci-com-2023 with their legal form (nature_juridique.csv of the same repository)."),
]}


def source_path(key: str, folder: str | Path | None = None) -> Path:
    """The file to read for ``key``: ``{folder}/{key}.csv`` (a fresh download) if it exists,
    else the shipped snapshot name.

    :param key: a key of :data:`SHIPPED`.
    :param folder: where to look; ``graph/sources/`` by default.
    :raises SourceDataError: neither file exists.

    >>> source_path("anct-pvd-2026").name
    'pvd_communes_2026_derived.csv'
    """
    folder = Path(folder) if folder is not None else paths.SOURCES_DIR
    spec = SHIPPED[key]
    for name in (f"{key}.csv", spec.file):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise SourceDataError(f"source {key!r} not found in {folder} (looked for {key}.csv and {spec.file})",
                          hint="run from a clone that has graph/sources/, or pvd-kg fetch")
