"""Where a result comes from: the versions of Python and of the packages that computed it (one collector
for every manifest: runs, topic models, classifiers)."""
from __future__ import annotations

import platform
from importlib import metadata


PACKAGES = ("spacy", "spacy-lookups-data", "gensim", "scikit-learn", "numpy", "scipy", "matplotlib", "click", "jinja2",
            "httpx", "protego")

def package_versions() -> dict[str, str]:
    """``{"python": "3.11.7", "gensim": "4.4.0", ...}`` ("not installed" for a package that is absent)."""
    from corpus import __version__

    versions = {"python": platform.python_version(), "softleft": __version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions



def memory_mb() -> dict[str, float] | None:
    """This process's resident memory now and its peak so far, in MB (``/proc/self/status``: VmRSS and VmHWM);
    None where there is no ``/proc`` (macOS, Windows)."""
    found: dict[str, float] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    found["rss" if line.startswith("VmRSS") else "peak"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return found if len(found) == 2 else None
