# attacks: COPY DEFAULT TO a graph
# expect: update
COPY DEFAULT TO <urn:hostile>
