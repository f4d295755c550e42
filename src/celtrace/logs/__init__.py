"""Access logs: readers for each format, enrichment of addresses, and the store of events the NET detectors query."""
