# attacks: DROP ALL through the read-only query path
# expect: update
DROP ALL
