"""Videos: ingest, probe, browser proxy, exact frame serving."""
