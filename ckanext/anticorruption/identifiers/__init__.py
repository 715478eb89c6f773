"""Shared identifiers: the schemes (RFC, CURP, OCID, ...), the column scans that check them,
the linkage index across datasets and the red flags it raises."""
