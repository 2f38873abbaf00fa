# attacks: DELETE DATA through the read-only query path
# expect: update
DELETE DATA { <https://w3id.org/pvd-kg/id/commune/62907> <http://www.w3.org/2000/01/rdf-schema#label> "Libercourt"@fr }
