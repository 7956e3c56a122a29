"""The analytical store: Parquet files written per import and queried with DuckDB.

This package is the only code that touches the files. The relational database says which files
are live (each import batch names its file); the store only writes, publishes, reads and removes
them. Any engine that reads Parquet (DuckDB, Polars, Spark, Trino) can read the same files.
"""
