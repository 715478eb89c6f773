"""Personal data: the scan of a file (pure) and the guard that decides what is hidden from whom."""
