"""The known source tables: one entry per key, shared by ``pvd-kg fetch`` and the ingest.

The same key names the shipped snapshot under ``graph/sources/`` and the live download made
by :mod:`pvd_kg.fetch`. ``url`` is the live file to download, or ``None`` when no live URL is
known (a derived table, or a historic list the publisher no longer serves); ``fetch`` then
reports "no live URL" instead of guessing one.

``columns`` are the columns the live file must carry (a subset: publishers add columns, and
the shipped snapshot may carry a few more or fewer). A download whose header lacks one of
them is refused.

>>> SOURCES["anct-pvd-2026"].filename
'anct-pvd-2026.csv'
>>> get_source("anct-pvd-2026").columns
('insee_com', 'lib_com', 'id_pvd', 'date_signature')
>>> sorted(k for k, s in SOURCES.items() if s.url)
['anct-acv-2024', 'anct-pvd-2026', 'dgaln-ort-2024', 'insee-cog-2024']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import FetchError

ETALAB_2 = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


@dataclass(frozen=True)
class Source:
    """One source table.

    :param key: stable identifier, also the file stem under ``graph/sources/`` and the download folder.
    :param title: what the table is, in French as the publisher names it.
    :param url: the live file, or ``None`` when no live URL is known.
    :param publisher: who publishes it.
    :param licence: licence IRI.
    :param columns: columns the live file must carry.
    :param landing: the dataset page, where a human finds the current file.
    :param note: anything a user must know (vintage, caveats).
    :param redirect_hosts: other hosts the live URL is known to redirect to (``pvd-kg fetch``
        follows a redirect to another host only when it is listed here or allowed by the user).
    """

    key: str
    title: str
    url: str | None
    publisher: str
    licence: str = ETALAB_2
    columns: tuple[str, ...] = field(default_factory=tuple)
    landing: str | None = None
    note: str = ""
    redirect_hosts: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        """The local file name, the same under ``graph/sources/`` and in the download folder."""
        return f"{self.key}.csv"


_ALL = [
    Source(
        key="anct-pvd-2021",
        title="Petites villes de demain : liste des communes (janvier 2021)",
        url=None,
        publisher="ANCT",
        columns=("id_pvd", "insee_com", "lib_com", "lib_reg", "insee_dep", "lib_dep", "nom_maire",
                 "site_mairie", "regroupement", "pop", "date_signature", "siren_epci", "lib_epci"),
        landing="https://github.com/anct-carto/pvd",
        note="Historic list of early 2021 (anct-carto/pvd); no longer published, so no live URL.",
    ),
    Source(
        key="anct-pvd-2026",
        title="Programme Petites villes de demain : liste des communes bénéficiaires (COG 2025)",
        url="https://www.data.gouv.fr/fr/datasets/r/1fa831ec-d912-4277-8b95-a8b998bf951e",
        publisher="ANCT",
        columns=("insee_com", "lib_com", "id_pvd", "date_signature"),
        landing="https://www.data.gouv.fr/fr/datasets/5fc1259b703620ed60a49d97/",
        note="Stable data.gouv redirect to the current file (liste-pvd-com2025-20260427.csv on "
             "2026-04-27). date_signature is DD/MM/YYYY since the 2026 file, YYYY-MM-DD before.",
        redirect_hosts=("static.data.gouv.fr",),
    ),
    Source(
        key="anct-acv-2024",
        title="Programme Action cœur de ville : liste des communes bénéficiaires",
        url="https://static.data.gouv.fr/resources/programme-action-coeur-de-ville/"
            "20250924-154200/liste-acv-com2025-20250704.csv",
        publisher="ANCT",
        columns=("insee_com", "lib_com", "id_acv", "lib_acv", "date_signature"),
        landing="https://www.data.gouv.fr/fr/datasets/5acc7eddc751df5e21efdf20/",
        note="Dated static path (COG 2025 file of 2025-07-04): the live list is newer than the "
             "shipped Sept 2024 snapshot, and data.gouv mints a new path per revision; the dataset "
             "page lists the current one.",
    ),
    Source(
        key="dgaln-ort-2024",
        title="Liste des communes couvertes par des opérations de revitalisation de territoire",
        url="https://grist.numerique.gouv.fr/o/dgaln/api/docs/j4i9oKD3jzFtgEUuM9sXnL/download/csv"
            "?viewSection=3&tableId=BDD&activeSortSpec=%5B102%5D&filters=%5B%5D"
            "&linkingFilter=%7B%22filters%22%3A%7B%7D%2C%22operations%22%3A%7B%7D%7D",
        publisher="DGALN / ANCT",
        columns=("Commune", "EPCI", "Département", "Région", "Code commune", "Statut de la commune",
                 "Signée ?", "Si signée, date de signature",
                 "Si non signée, date de signature envisagée", "Durée (en années)",
                 "Date de fin estimée", "Remarques", "Avancement", "ACV", "PVD", "longitude",
                 "latitude", "Dernière actualisation"),
        landing="https://www.data.gouv.fr/fr/datasets/63c69d70de98bf9a1fa11948/",
        note="CSV export of the DGALN Grist document behind data.gouv dataset 63c69d70de98bf9a1fa11948 "
             "(that dataset's own CSV resource is reported to hold a broken subset). The live export "
             "has an 'Actualisé par' column naming State agents, dropped from the shipped snapshot.",
    ),
    Source(
        key="insee-cog-2024",
        title="Code officiel géographique au 1er janvier 2024 : communes (v_commune_2024)",
        url="https://www.insee.fr/fr/statistiques/fichier/7766585/v_commune_2024.csv",
        publisher="INSEE",
        columns=("TYPECOM", "COM", "REG", "DEP", "CTCD", "ARR", "TNCC", "NCC", "NCCENR",
                 "LIBELLE", "CAN", "COMPARENT"),
        landing="https://www.insee.fr/fr/information/7766585",
    ),
    Source(
        key="insee-departements",
        title="Départements et régions de France",
        url=None,
        publisher="INSEE, via MTES-MCT/zero-logement-vacant",
        columns=("code_departement", "nom_departement", "code_region", "nom_region"),
        note="A reshaped COG table (INSEE's own v_departement file has other columns); no live URL.",
    ),
    Source(
        key="epci-com-2023",
        title="Communes, EPCI, départements et régions avec leur SIREN (2023)",
        url=None,
        publisher="DGCL (BANATIC) / INSEE, via MTES-MCT/zero-logement-vacant",
        columns=("com_code", "com_siren", "com_name", "epci_siren", "epci_name", "dep_siren",
                 "dep_name", "reg_siren", "reg_name", "ept_siren", "ept_name"),
        note="Upstream not documented by the repository it comes from; no live URL.",
    ),
    Source(
        key="epci-list-2023",
        title="Liste des EPCI (2023, dérivée)",
        url=None,
        publisher="derived by pvd-kg from epci-com-2023",
        columns=("siren_epci", "lib_epci", "nature_juridique", "n_communes", "departements"),
        note="Derived table, not an official BANATIC export; no live URL.",
    ),
    Source(
        key="anct-ngeo-2023",
        title="Croisement des dispositifs ANCT par commune (COG 2023)",
        url=None,
        publisher="ANCT, via MTES-MCT/zero-logement-vacant",
        columns=("insee_com", "lib_com", "id_pvd", "id_acv"),
        note="Programme identifiers per commune; the live ANCT file is not located, so no live URL.",
    ),
]

SOURCES: dict[str, Source] = {s.key: s for s in _ALL}


def get_source(key: str) -> Source:
    """The registry entry for ``key``.

    :param key: a source key, e.g. ``"anct-pvd-2026"``.
    :raises FetchError: the key is not in the registry.

    >>> get_source("nope")
    Traceback (most recent call last):
    ...
    pvd_kg.errors.FetchError: unknown source 'nope' (known sources: anct-pvd-2021, anct-pvd-2026, anct-acv-2024, dgaln-ort-2024, insee-cog-2024, insee-departements, epci-com-2023, epci-list-2023, anct-ngeo-2023)
    """
    try:
        return SOURCES[key]
    except KeyError:
        raise FetchError(f"unknown source {key!r}", hint="known sources: " + ", ".join(SOURCES)) from None
