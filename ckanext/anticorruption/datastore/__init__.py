"""Valid files become DataStore tables, typed from their Table Schema.

``columns`` (pure, no CKAN import) turns the Table Schema into the table's
columns and data dictionary, and spools the cells the validation read,
batch by batch, as typed values ready for PostgreSQL's COPY. ``store``
holds the SQL: a new table filled from the spool and swapped in at once, or
the table dropped. ``load`` decides, at the end of a run, which of the two
a resource gets.
"""
