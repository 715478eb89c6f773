"""The run of one resource's file: start, fetch (download.py), check, finish (run.py); and the
sweep that brings every unfinished run to an end (sweep.py)."""
