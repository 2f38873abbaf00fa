# attacks: CREATE GRAPH through the read-only query path
# expect: update
CREATE GRAPH <urn:hostile>
