"""Sanctions lists: readers for each published format into one target model, and loading into the store."""
