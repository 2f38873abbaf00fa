# attacks: DROP GRAPH of a stored graph
# expect: update
DROP GRAPH <https://w3id.org/pvd-kg/graph/libercourt>
