"""Messages of the catalog's jobs, publishing and audit, written once and imported by tests
(format with .format(**kw))."""

# job records keep positions, not values
PROBLEM_POSITION = (
    "Line {line}, column {column}: a {kind} problem. The value is shown to the dataset's editors "
    "with the version's problems, not in job records."
)
STRICT_PROBLEMS = (
    "{count} row problem(s) (strict mode), first at line {line}, column {column} ({kind}). Fix "
    "those rows in your file, or publish in lenient mode to keep going with a report."
)

# publishing
NUMBER_TAKEN = (
    "Another version of {name!r} was published at the same moment, so this one was not. "
    "Publish it again."
)
PUBLISHED_RECOVERED = "Published {name!r} version {version}."
