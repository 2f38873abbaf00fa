# attacks: INSERT DATA through the read-only query path
# expect: update
INSERT DATA { <https://w3id.org/pvd-kg/id/hostile> <http://www.w3.org/2000/01/rdf-schema#label> "x" }
