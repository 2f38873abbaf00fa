# attacks: LOAD of a relative IRI resolved against BASE <file:///etc/>: never
# expect: LOAD|update
# with-token: refused
BASE <file:///etc/>
LOAD <passwd>
