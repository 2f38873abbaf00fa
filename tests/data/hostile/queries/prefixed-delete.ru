# attacks: DeLeTe in mixed case after a PREFIX whose name is a keyword
# expect: update
PREFIX select: <http://example.org/>
DeLeTe WHERE { ?s select:p ?o }
