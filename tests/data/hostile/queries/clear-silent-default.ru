# attacks: clear silent default, lower case
# expect: update
clear silent default
