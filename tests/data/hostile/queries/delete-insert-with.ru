# attacks: WITH ... DELETE ... INSERT ... WHERE through the read-only query path
# expect: update
WITH <https://w3id.org/pvd-kg/graph/libercourt>
DELETE { ?s ?p ?o } INSERT { ?s ?p "x" } WHERE { ?s ?p ?o }
