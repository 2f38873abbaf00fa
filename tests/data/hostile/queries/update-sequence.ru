# attacks: an innocent-looking INSERT DATA followed by DROP ALL in one request
# expect: update
INSERT DATA { <urn:a> <urn:b> <urn:c> } ;
DROP ALL
