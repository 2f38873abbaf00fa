# attacks: LOAD:passwd with PREFIX : <file:///etc/> (issue 11, finding 1: LOAD:file): never
# expect: LOAD|update
# with-token: refused
PREFIX : <file:///etc/>
LOAD:passwd INTO GRAPH <urn:hostile>
