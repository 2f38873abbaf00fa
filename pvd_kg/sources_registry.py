"""The known source tables: one entry per key, shared by ``pvd-kg fetch`` and the ingest.

Each entry is declared by its source's plug-in module under :mod:`pvd_kg.ingest` (see
:mod:`pvd_kg.ingest.plugin`); ``SOURCES`` gathers them, by key.

The same key names the shipped snapshot under ``graph/sources/`` and the live download made
by :mod:`pvd_kg.fetch`. ``url`` is the live file to download, or ``None`` when no live URL is
known (a derived table, or a historic list the publisher no longer serves); ``fetch`` then
reports "no live URL" instead of guessing one.

``columns`` are the columns the live file must carry (a subset: publishers add columns, and
the shipped snapshot may carry a few more or fewer). A download whose header lacks one of
them is refused.

>>> from pvd_kg.sources_registry import SOURCES
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


def __getattr__(name: str):
    # SOURCES is gathered (by key) from the source plug-ins on first use: they import Source from here
    if name == "SOURCES":
        from .ingest.plugin import registered

        return {p.key: p.fetch for p in sorted(registered(), key=lambda p: p.key) if p.fetch is not None}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_source(key: str) -> Source:
    """The registry entry for ``key``.

    :param key: a source key, e.g. ``"anct-pvd-2026"``.
    :raises FetchError: the key is not in the registry.

    >>> get_source("nope")
    Traceback (most recent call last):
    ...
    pvd_kg.errors.FetchError: unknown source 'nope' (known sources: anct-acv-2024, anct-ngeo-2023, anct-pvd-2021, anct-pvd-2026, dgaln-ort-2024, epci-com-2023, epci-list-2023, insee-cog-2024, insee-departements)
    """
    try:
        return __getattr__("SOURCES")[key]
    except KeyError:
        raise FetchError(f"unknown source {key!r}", hint="known sources: " + ", ".join(__getattr__("SOURCES"))) from None
