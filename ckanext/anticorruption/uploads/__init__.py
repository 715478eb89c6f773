"""The run of one resource's file: start, fetch (download.py), check, finish; and the jobs
workers' part (queue, heartbeat, sweep)."""
