"""pvd_kg/ingest/cleaners.py: values are cleaned or refused, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from pvd_kg.ingest import cleaners


@pytest.mark.parametrize("text, day", [("2021-07-23", dt.date(2021, 7, 23)), ("23/07/2021", dt.date(2021, 7, 23)),
                                       ("20-02-2026", dt.date(2026, 2, 20)), (" 2021-03-12 ", dt.date(2021, 3, 12))])
def test_parse_date_shapes(text, day):
    assert cleaners.parse_date(text) == day


@pytest.mark.parametrize("text", ["01/2021", "2021-02-30", "31/02/2021", "4e trimestre 2022", "", "NA"])
def test_parse_date_refuses(text):
    with pytest.raises(cleaners.CleanError):
        cleaners.parse_date(text)


@pytest.mark.parametrize("code", ["999999", "9999", "AB123", "2C001", ""])
def test_impossible_insee_codes(code):
    with pytest.raises(cleaners.CleanError):
        cleaners.insee_commune(code)


def test_contacts_are_found_in_real_values():
    assert cleaners.has_contact("contact@mairie.example") == "e-mail"
    assert cleaners.has_contact("accueil@mairie-example") == "e-mail"  # malformed, still an address
    assert cleaners.has_contact("Tél : 03.21.45.67.89") == "phone"
    assert cleaners.has_contact("Convention d’adhésion PVD signée le 21/04/21") is None
    assert not cleaners.is_url("Bienvenue sur le site de Condé-en-Normandie (condenormandie.fr)")


def test_names_split_only_when_the_source_marks_the_family_name():
    assert cleaners.split_person_name("Jean Claude MARTIN") == ("Jean Claude", "MARTIN")
    assert cleaners.split_person_name("Frédéric BURNIER-FRAMBORET") == ("Frédéric", "BURNIER-FRAMBORET")
    assert cleaners.split_person_name("PONTET René") == ("René", "PONTET")
    assert cleaners.split_person_name("Gilbert Meyssonnier") == (None, None)
    assert cleaners.split_person_name("Josette") == (None, None)


def test_mojibake_repair_is_exact():
    assert cleaners.repair_mojibake("Saint-Louis-de-la-RÃ©union") == "Saint-Louis-de-la-Réunion"
    assert cleaners.repair_mojibake("Béthune") is None
