; Programs: a program with no forms (only comments) succeeds silently.
