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


