"""The dataset a harvest publishes: normalised facets, exports, the data card, the report, `load`."""
