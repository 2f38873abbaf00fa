# attacks: insert data in lower case
# expect: update
insert data { <https://w3id.org/pvd-kg/id/hostile> <http://www.w3.org/2000/01/rdf-schema#label> "x" }
