"""Small synthetic corpora for the classifier and contrast tests (term lists, no preprocessing)."""
from __future__ import annotations

import random

COMMON = [f"word{i}" for i in range(300)]
SIGNATURES = {
    "soft_left": ["pluralism", "devolution", "coalition", "renewal", "federalism"],
    "hard_left": ["socialism", "solidarity", "bosses", "strike", "nationalisation"],
    "soft_right": ["electability", "credibility", "voters", "aspiration", "security"],
}


def synthetic_corpus(n_per_class: int = 40, authors_per_class: int = 4, length: int = 80,
                     signal: float = 0.08, seed: int = 0, classes=("soft_left", "hard_left", "soft_right")):
    """``(docs, labels, groups)``: term lists whose classes differ by a few signature words.

    Common words follow a Zipf-like law; each term is a signature word of the document's class with
    probability ``signal``. Each author writes for one class.
    """
    rng = random.Random(seed)
    cum, total = [], 0.0
    for i in range(len(COMMON)):
        total += 1.0 / (i + 1)
        cum.append(total)
    docs, labels, groups = [], [], []
    for cls in classes:
        for i in range(n_per_class):
            doc = [rng.choice(SIGNATURES[cls]) if rng.random() < signal else rng.choices(COMMON, cum_weights=cum)[0]
                   for _ in range(length)]
            docs.append(doc)
            labels.append(cls)
            groups.append(f"{cls}-author{i % authors_per_class}")
    return docs, labels, groups
