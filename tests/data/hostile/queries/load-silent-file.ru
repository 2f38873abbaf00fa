# attacks: LOAD SILENT of a local file: never
# expect: LOAD|update
# with-token: refused
LOAD SILENT <file:///etc/passwd>
