"""The coverage page: scoring (pure), the query that gathers its inputs, the daily snapshot."""
