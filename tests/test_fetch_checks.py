"""pvd_kg.fetch_checks on plain bytes: header and delimiter, HTML sniffing, encodings."""

from __future__ import annotations

from pathlib import Path

import pytest

from pvd_kg.errors import FetchError
from pvd_kg.fetch_checks import check_columns, declared_charset, decode_body, header_columns, looks_like_html

DATA = Path(__file__).parent / "data" / "fetch"


@pytest.mark.parametrize("first_line, delimiter", [
    ('"insee_com","lib_com","id_pvd","date_signature"', ","),
    ("com_code;com_siren;com_name;epci_siren", ";"),
    ("insee_com\tlib_com\tid_pvd", "\t"),
])
def test_header_and_delimiter(first_line, delimiter):
    columns, found = header_columns(first_line + "\r\n01033,x\n")
    assert found == delimiter and columns[0] in ("insee_com", "com_code")


def test_a_comma_inside_a_quoted_column_name_stays_in_the_name():
    text = 'Commune,"Si signée, date de signature",Remarques\n'
    assert header_columns(text) == (["Commune", "Si signée, date de signature", "Remarques"], ",")


def test_unexpected_columns_are_listed_only_when_one_is_missing():
    check_columns(["insee_com", "lib_com", "extra"], ("insee_com",), "u")  # extra columns are fine
    with pytest.raises(FetchError, match="unexpected column.*'extra'"):
        check_columns(["lib_com", "extra"], ("insee_com",), "u")


def test_charset_parameters():
    assert declared_charset("text/csv;charset=UTF-8") == "utf-8"
    assert declared_charset(None) is None and declared_charset("text/csv; header=present") is None


def test_an_unknown_declared_charset_is_an_error():
    with pytest.raises(FetchError, match="unknown charset 'klingon-8'"):
        decode_body(b"a,b\n", "klingon-8", "u")


def test_utf8_with_bom_is_read_without_the_bom():
    text, info = decode_body("\ufeffinsee_com,lib_com\n01033,Valserhône\n".encode("utf-8"), None, "u")
    assert text.startswith("insee_com") and info["detected"] == "utf_8"


def test_undeclared_latin1_fixture_is_read_as_western_european():
    text, info = decode_body((DATA / "pvd_latin1.csv").read_bytes(), None, "u")
    assert text == (DATA / "pvd_iso.csv").read_text(encoding="utf-8")
    assert "La Fère" in text and info["detected"] == "cp1252"


def test_html_sniffing_ignores_a_bom_and_blank_lines():
    assert looks_like_html("\ufeff\r\n<HTML><body>")
    assert not looks_like_html("html_page,commune\n")
