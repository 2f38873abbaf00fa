# attacks: DELETE WHERE everything through the read-only query path
# expect: update
DELETE WHERE { ?s ?p ?o }
