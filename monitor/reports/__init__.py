"""Reports for people: the daily digest, the ASV account audit, terminal summaries."""
