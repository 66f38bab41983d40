"""One module per outlet, each holding only that outlet's facts (an ``OutletSpec`` named ``SPEC``).

A module may also define ``SCRAPER``, a :class:`~scrapers.base.Scraper` subclass for quirks that facts
cannot express. Plain WordPress outlets need no module: see ``scrapers/outlets.toml``.
"""

BUILTIN = ("chartist", "labourlist", "novara", "openlabour", "progressivebritain", "renewal", "tribune")
