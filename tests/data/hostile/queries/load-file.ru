# attacks: LOAD <file:///etc/passwd> (issue 11, finding 1): never, even for a token holder
# expect: LOAD|update
# with-token: refused
LOAD <file:///etc/passwd> INTO GRAPH <urn:hostile>
