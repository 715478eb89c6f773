"""One national file per dataset type: the valid public files of every agency in one table.

``store`` holds the SQL (the national tables live in the DataStore database,
built from the resource tables the loader writes); ``refresh`` keeps them in
step with the files; ``files`` streams the CSV and writes the Parquet files;
``columns`` (pure) says which columns a type's table has. The hooks
(``hooks.resource_table_changed`` and the dataset hooks) call ``refresh``.
"""
