"""The Open Up Guide's 30 dataset types: their scheming schemas and Table Schemas, and the
files a publisher starts from. Pure: no CKAN import."""
