"""Write tests/data/hostile/csv/: damaged copies of the shipped source tables, one folder per
kind of damage, each file under its shipped name (so that `pvd-kg load` knows its table).

Each file is the real header and a few real rows of graph/sources/, then one damage. Run
``python scripts/hostile_csv.py`` to rebuild them; tests/test_ingest_hostile.py reads them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "graph" / "sources"
TARGET = ROOT / "tests" / "data" / "hostile" / "csv"

SHIPPED = ["pvd_communes_2021-01.csv", "pvd_communes_2026_derived.csv", "acv_communes_2024-09.csv",
           "ort_conventions_2024-10.csv", "cog_communes_2024.csv", "cog_arrondissements_2025.csv",
           "departements_france.csv", "com_epci_dep_reg_2023.csv", "epci_list_2023_derived.csv"]


def lines(name: str, numbers: list[int]) -> list[str]:
    """The physical lines ``numbers`` (1 = header) of a shipped file, line endings kept."""
    text = (SOURCES / name).read_text(encoding="utf-8")
    every = text.splitlines(keepends=True)
    return [every[n - 1] for n in numbers]


def write(case: str, name: str, rows: list[str] | bytes) -> None:
    folder = TARGET / case
    folder.mkdir(parents=True, exist_ok=True)
    data = rows if isinstance(rows, bytes) else "".join(rows).encode("utf-8")
    (folder / name).write_bytes(data)


def damage(rows: list[str], index: int, old: str, new: str) -> list[str]:
    assert old in rows[index], (old, rows[index])
    rows = list(rows)
    rows[index] = rows[index].replace(old, new, 1)
    return rows


def main() -> None:
    shutil.rmtree(TARGET, ignore_errors=True)
    for name in SHIPPED:
        write("header-only", name, lines(name, [1]))
    write("empty", "pvd_communes_2026_derived.csv", b"")
    write("empty", "cog_communes_2024.csv", b"")
    write("blank-lines-only", "pvd_communes_2026_derived.csv", lines("pvd_communes_2026_derived.csv", [1]) + ["\n", "\n"])

    pvd21 = lines("pvd_communes_2021-01.csv", [1, 2, 3, 808])  # Ablis, Agon-Coutainville, Libercourt
    write("too-many-cells", "pvd_communes_2021-01.csv",
          damage(pvd21, 2, '"CC Coutances Mer et Bocage"', '"CC Coutances Mer et Bocage","en trop"'))
    write("unbalanced-quote", "pvd_communes_2021-01.csv", damage(pvd21, 2, '"Agon-Coutainville"', '"Agon-Coutainville'))
    write("stray-whitespace", "pvd_communes_2021-01.csv", damage(pvd21, 1, '"78003"', '" 78003"'))
    write("arabic-indic-digits", "pvd_communes_2021-01.csv", damage(pvd21, 1, '"3439"', '"٣٤٣٩"'))

    acv = lines("acv_communes_2024-09.csv", [1, 2, 3, 4])  # Abbeville, Agde, Agen
    write("too-few-cells", "acv_communes_2024-09.csv",
          damage(acv, 2, ",34,76,Occitanie,243400819,11,4,3.4839,43.3096", ""))
    dup = damage(acv, 0, "lon,lat", "lon,lat,insee_com")
    dup = [dup[0]] + [row.replace("\n", ",00000\n") for row in dup[1:]]
    write("duplicate-column", "acv_communes_2024-09.csv", dup)

    pvd26 = lines("pvd_communes_2026_derived.csv", [1, 2, 3, 1128])  # Valserhône, Belley, Libercourt
    write("unbalanced-quote-at-end", "pvd_communes_2026_derived.csv", damage(pvd26, 2, "Belley", '"Belley'))
    write("line-break-in-field", "pvd_communes_2026_derived.csv", damage(pvd26, 2, "Belley", '"Bel\nley"'))
    write("nul-byte", "pvd_communes_2026_derived.csv", damage(pvd26, 2, "Belley", "Bel\x00ley"))
    write("fullwidth-digits", "pvd_communes_2026_derived.csv", damage(pvd26, 1, "2021-03-12", "２０２１-03-12"))
    write("fullwidth-code", "pvd_communes_2026_derived.csv", damage(pvd26, 1, "01033", "０１０３３"))
    write("contradicts-curated-graph", "pvd_communes_2026_derived.csv", damage(pvd26, 3, "2021-07-23", "2020-06-01"))
    write("no-row-storable", "pvd_communes_2026_derived.csv",
          [pvd26[0]] + [row.replace(row[:5], "99" + row[2:5], 1) for row in pvd26[1:]])

    ort = lines("ort_conventions_2024-10.csv", [1, 2, 3, 132])  # Brest, Dreux, Libercourt
    swallowed = damage(ort, 1, "Métropole avec NPNRU", '"Métropole avec NPNRU')
    write("swallowed-rows", "ort_conventions_2024-10.csv", damage(swallowed, 3, ",Commune PVD,", ',Commune PVD",'))

    cog = lines("cog_communes_2024.csv", [1, 33, 26338, 32781])  # Valserhône, Libercourt, Ablis
    write("code-not-in-departement", "cog_communes_2024.csv", damage(cog, 2, '"62907","32","62"', '"62907","32","59"'))


if __name__ == "__main__":
    main()
