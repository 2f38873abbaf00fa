# attacks: ADD a stored graph into another
# expect: update
ADD <https://w3id.org/pvd-kg/graph/libercourt> TO <urn:hostile>
