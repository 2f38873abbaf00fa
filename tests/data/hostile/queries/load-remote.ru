# attacks: LOAD <http://...> to the loopback listener through the read-only query path
# expect: LOAD|update
LOAD <http://LISTENER/data.ttl> INTO GRAPH <urn:hostile>
