# attacks: CLEAR ALL through the read-only query path
# expect: update
CLEAR ALL
