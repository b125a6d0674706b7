"""The offline mirror of www.osce.org: a site model, page templates, an asyncio HTTP server, faults.

site = MirrorSite(pages=250)
with running_mirror(site) as server:
    ...  # crawl server.base_url; compare with site.expected_records()
"""

from osce_scrape.mirror.faults import FaultSpec
from osce_scrape.mirror.server import MirrorServer, RequestRecord, running_mirror
from osce_scrape.mirror.site import MirrorSite

__all__ = ["FaultSpec", "MirrorServer", "MirrorSite", "RequestRecord", "running_mirror"]
