"""Harvesting: discover -> fetch (politely) -> archive (WARC) -> parse -> store, incrementally.

`crawl.run_harvest` runs one crawl; `run.CrawlRun` is its work loop; the rest are its stages.
"""
