"""The defaults every analysis shares, importable without numpy (the command line reads them for its help)."""

#: Articles a figure must rest on before it is stated as a finding (``--min-support``).
MIN_SUPPORT = 5
#: Bootstrap replicates (``--bootstrap``); 0 gives no intervals.
BOOTSTRAP = 200
