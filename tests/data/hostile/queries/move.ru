# attacks: MOVE a stored graph away
# expect: update
MOVE <https://w3id.org/pvd-kg/graph/libercourt> TO <urn:hostile>
