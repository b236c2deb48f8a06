; Meta: (command-line) returns the arguments after the file, as strings.
(write (command-line)) (newline)
