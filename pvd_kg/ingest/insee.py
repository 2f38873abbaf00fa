"""INSEE references: the COG 2024 communes (``insee-cog-2024``) and the départements and
régions (``insee-departements``).

The COG is read whole (37,544 rows) because the programme lists are checked against it, but
only the communes the programme graph needs become nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import iris
from ..sources_registry import Source
from . import cleaners
from .links import link_insee
from .emit import A, GraphOut, IGEO, PROV, PVD, RDFS, fr, string
from .plugin import Run, SourcePlugin
from .shipped import Shipped
from .tables import Record, Tally, read_csv, read_rows

COG_COLUMNS = ("TYPECOM", "COM", "REG", "DEP", "ARR", "LIBELLE", "COMPARENT")
ARR_COLUMNS = ("ARR", "DEP", "CHEFLIEU", "LIBELLE")
DEP_COLUMNS = ("code_departement", "nom_departement", "code_region", "nom_region")


@dataclass(frozen=True)
class CogCommune:
    line: int
    code: str
    label: str
    dep: str
    reg: str
    arr: str


@dataclass
class Cog:
    """The COG: current communes by code, and the other codes (communes déléguées, associées,
    arrondissements municipaux) with their parent commune."""

    communes: dict[str, CogCommune] = field(default_factory=dict)
    others: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (TYPECOM, parent)

    def why_not_current(self, code: str) -> str:
        """Why ``code`` is not a current commune, for an issue message.

        >>> Cog(others={"08294": ("COMD", "08053")}).why_not_current("08294")
        'not a current commune in COG 2024 (commune déléguée of 08053: merged)'
        """
        kind = self.others.get(code)
        names = {"COMD": "commune déléguée", "COMA": "commune associée", "ARM": "arrondissement municipal"}
        if kind:
            return f"not a current commune in COG 2024 ({names.get(kind[0], kind[0])} of {kind[1]}: merged)"
        return "not in COG 2024 (unknown or vanished code)"


def read_cog(path: str | Path, tally: Tally) -> Cog:
    """Read the COG communes file.

    :raises SourceDataError: the file cannot be read or lacks a column.
    """
    cog = Cog()
    for line, kind, code, reg, dep, arr, label, parent in read_rows(path, COG_COLUMNS, tally=tally):
        values = {"COM": code, "REG": reg, "DEP": dep, "ARR": arr} if kind == "COM" else {"COM": code}
        if not _codes(Record(tally.file, line, {}), values, tally):
            continue
        if kind == "COM":
            cog.communes[code] = CogCommune(line, code, label, dep, reg, arr)
        else:
            cog.others.setdefault(code, (kind, parent))
    return cog


_CODES = {"COM": (cleaners.COMMUNE_RE, "an INSEE commune code"),
          "REG": (cleaners.REGION_RE, "a région code"),
          "DEP": (cleaners.DEPARTEMENT_RE, "a département code"),
          "ARR": (cleaners.ARRONDISSEMENT_RE, "an arrondissement code"),
          "code_departement": (cleaners.DEPARTEMENT_RE, "a département code"),
          "code_region": (cleaners.REGION_RE, "a région code")}


def _codes(rec: Record, values: dict, tally: Tally) -> bool:
    """True if every code of the record (a blank REG or ARR aside: Mayotte has no arrondissement)
    is exactly a code, and the commune and arrondissement codes start with the département's
    (as the shapes require); else the row ``rec`` is rejected, naming the first bad one."""
    for column, value in values.items():
        if column in ("REG", "ARR") and value == "":
            continue
        try:
            cleaners.code(value, *_CODES[column])
        except cleaners.CleanError as exc:
            tally.reject(rec, str(exc), column, value, "invalid-code")
            return False
    dep = values.get("DEP")
    for column in ("COM", "ARR"):
        value = values.get(column)
        if dep is not None and value and not value.startswith(dep):
            tally.reject(rec, f"the {column} code {value} does not start with its département {dep}", "DEP", dep,
                         "code-not-in-departement")
            return False
    return True


def emit_communes(cog: Cog, codes: set[str], out: GraphOut, tally: Tally) -> None:
    """One ``pvd:Commune`` per code of ``codes`` (with its département, région, and the link to
    its arrondissement, which :func:`emit_arrondissements` describes)."""
    for code in sorted(codes):
        c = cog.communes[code]
        node = iris.commune(code)
        out.add(node, A, PVD.Commune)
        out.add(node, IGEO.codeINSEE, string(code))
        out.add(node, RDFS.label, fr(c.label))
        out.add(node, PVD.inDepartement, iris.departement(c.dep))
        if c.reg:
            out.add(node, PVD.inRegion, iris.region(c.reg))
        if c.arr:
            arr = iris.arrondissement(c.arr)
            out.add(node, PVD.inArrondissement, arr)
        else:
            tally.info(Record(tally.file, c.line, {}), "no arrondissement in COG 2024 (Mayotte has none)",
                       "ARR", "", "no-arrondissement")
        out.derived(node, c.line)
        tally.loaded += 1


@dataclass(frozen=True)
class Departement:
    line: int
    code: str
    label: str
    region: str
    region_label: str


def read_departements(path: str | Path, tally: Tally) -> dict[str, Departement]:
    """Read the départements table (code, name, région code and name).

    :raises SourceDataError: the file cannot be read or lacks a column.
    """
    deps: dict[str, Departement] = {}
    for rec in read_csv(path, required=DEP_COLUMNS, tally=tally):
        code = rec["code_departement"]
        if not _codes(rec, {"code_departement": code, "code_region": rec["code_region"]}, tally):
            continue
        if code in deps:
            tally.reject(rec, f"duplicate of line {deps[code].line}", "code_departement", code, "duplicate-row")
            continue
        deps[code] = Departement(rec.line, code, rec["nom_departement"], rec["code_region"], rec["nom_region"])
    return deps


def emit_departements(deps: dict[str, Departement], out: GraphOut, tally: Tally) -> None:
    """Every département and région of the table (101 + 18: small, and the map needs them all)."""
    regions: dict[str, Departement] = {}
    for d in deps.values():
        node = iris.departement(d.code)
        out.add(node, A, PVD.Departement)
        out.add(node, IGEO.codeINSEE, string(d.code))
        out.add(node, RDFS.label, fr(d.label))
        out.add(node, PVD.inRegion, iris.region(d.region))
        out.derived(node, d.line)
        regions.setdefault(d.region, d)
        tally.loaded += 1
    for code, d in regions.items():
        node = iris.region(code)
        out.add(node, A, PVD.Region)
        out.add(node, IGEO.codeINSEE, string(code))
        out.add(node, RDFS.label, fr(d.region_label))
        out.add(node, PROV.wasDerivedFrom, out.row(d.line))


@dataclass(frozen=True)
class Arrondissement:
    line: int
    code: str
    dep: str
    label: str


def read_arrondissements(path: str | Path, tally: Tally) -> dict[str, Arrondissement]:
    """Read the COG arrondissements (code, département, chef-lieu, name).

    :raises SourceDataError: the file cannot be read or lacks a column.
    """
    found: dict[str, Arrondissement] = {}
    for rec in read_csv(path, required=ARR_COLUMNS, tally=tally):
        code = rec["ARR"]
        if not _codes(rec, {"ARR": code, "DEP": rec["DEP"]}, tally):
            continue
        if code in found:
            tally.reject(rec, f"duplicate of line {found[code].line}", "ARR", code, "duplicate-row")
            continue
        found[code] = Arrondissement(rec.line, code, rec["DEP"], rec["LIBELLE"].strip())
    return found


def emit_arrondissements(arrs: dict[str, Arrondissement], cog: Cog, codes: set[str], out: GraphOut,
                         tally: Tally) -> None:
    """The arrondissements of the communes in ``codes``: code, name, département. An arrondissement
    of COG 2024 missing from this table, or in another département, is reported."""
    used: dict[str, str] = {}
    for code in sorted(codes):
        c = cog.communes[code]
        if c.arr:
            used.setdefault(c.arr, c.dep)
    for code, dep in sorted(used.items()):
        a = arrs.get(code)
        if a is None:
            tally.warn(None, f"arrondissement {code} of COG 2024 is not in this table; it has no name",
                       "ARR", code, "missing-from-reference")
            continue
        if a.dep != dep:
            tally.warn(Record(tally.file, a.line, {}), f"COG 2024 puts its communes in département {dep}", "DEP",
                       a.dep, "cog-mismatch")
        node = iris.arrondissement(code)
        out.add(node, A, PVD.Arrondissement)
        out.add(node, IGEO.codeINSEE, string(code))
        out.add(node, RDFS.label, fr(a.label))
        out.add(node, PVD.inDepartement, iris.departement(a.dep))
        out.derived(node, a.line)
        tally.loaded += 1



def emit_commune_links(codes: set[str], out: GraphOut) -> None:
    """Each commune of ``codes`` ``skos:exactMatch`` its INSEE IRI (see :mod:`.links`)."""
    for code in sorted(codes):
        link_insee(out, iris.commune(code), "commune", code)


def emit_departement_links(deps: dict[str, Departement], out: GraphOut) -> None:
    """Each département and région of the table ``skos:exactMatch`` its INSEE IRI."""
    for d in deps.values():
        link_insee(out, iris.departement(d.code), "departement", d.code)
    for region in sorted({d.region for d in deps.values()}):
        link_insee(out, iris.region(region), "region", region)


def _emit_cog(cog: Cog, out: GraphOut, tally: Tally, run: Run) -> None:
    codes = run.communes()
    emit_communes(cog, codes, out, tally)
    emit_commune_links(codes, out)


def _emit_departements(deps: dict[str, Departement], out: GraphOut, tally: Tally, run: Run) -> None:
    emit_departements(deps, out, tally)
    emit_departement_links(deps, out)

# The sources of this module as plug-ins (see pvd_kg.ingest.plugin): the build reads the COG
# before the lists checked against it, and emits only the communes the lists name.

COG_KEY = "insee-cog-2024"


PLUGINS = (
    SourcePlugin(
        fetch=Source(
            key="insee-cog-2024",
            title="Code officiel géographique au 1er janvier 2024 : communes (v_commune_2024)",
            url="https://www.insee.fr/fr/statistiques/fichier/7766585/v_commune_2024.csv",
            publisher="INSEE",
            columns=("TYPECOM", "COM", "REG", "DEP", "CTCD", "ARR", "TNCC", "NCC", "NCCENR",
                     "LIBELLE", "CAN", "COMPARENT"),
            landing="https://www.insee.fr/fr/information/7766585",
        ),
        shipped=Shipped("insee-cog-2024", "cog_communes_2024.csv", "insee",
                        "Code officiel géographique au 1er janvier 2024 : communes", "2024-01-01",
                        "https://github.com/MTES-MCT/zero-logement-vacant/blob/e56c972da0b069035c69ef2b4e632c86fae59f63/analytics/dbt/seeds/cog_20240101.csv"),
        read=lambda path, tally, run: read_cog(path, tally),
        emit=_emit_cog,
    ),
    SourcePlugin(
        shipped=Shipped("insee-arr-2025", "cog_arrondissements_2025.csv", "insee",
                        "Code officiel géographique au 1er janvier 2025 : arrondissements", "2025-01-01",
                        "https://github.com/sfaut/data-cog/blob/9eb6be77e3283e33cb1b5380f8230e27f1ab7df5/v2025/cog-arrondissements@2025.csv",
                        derived="Columns code, department_code, capital_code, name of the origin kept, renamed to INSEE's "
                                "ARR, DEP, CHEFLIEU, LIBELLE; rows unchanged. Its 333 codes are exactly those of COG 2024."),
        read=lambda path, tally, run: read_arrondissements(path, tally),
        emit=lambda arrs, out, tally, run: emit_arrondissements(arrs, run.data[COG_KEY], run.communes(), out, tally),
    ),
    SourcePlugin(
        fetch=Source(
            key="insee-departements",
            title="Départements et régions de France",
            url=None,
            publisher="INSEE, via MTES-MCT/zero-logement-vacant",
            columns=("code_departement", "nom_departement", "code_region", "nom_region"),
            note="A reshaped COG table (INSEE's own v_departement file has other columns); no live URL.",
        ),
        shipped=Shipped("insee-departements", "departements_france.csv", "insee",
                        "Départements et régions de France", "2023",
                        "https://github.com/MTES-MCT/zero-logement-vacant/blob/c5244255c0913013c06af1486a37e42036e1e386/analytics/dbt/seeds/departements_france.csv"),
        read=lambda path, tally, run: read_departements(path, tally),
        emit=_emit_departements,
    ),
)
