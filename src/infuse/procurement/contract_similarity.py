"""Contracts whose titles and descriptions say much the same thing. Pure: no Django.

Collaboration evidence (:func:`~.contract_selectors.collaboration_evidence`) names other bodies
that buy the same thing. The same CPV group and the same supplier miss a lot: a contracts
register rarely gives a CPV code, and two bodies buying the same service often use different
suppliers. So a third kind of evidence is a similar description, measured as the cosine
similarity of TF-IDF vectors of the normalised title and description (scikit-learn's
``TfidfVectorizer`` with sub-linear term frequency: Salton and Buckley, "Term-weighting
approaches in automatic text retrieval", 1988). Words that every contract notice uses
("contract", "services", "provision", "supply", "framework", "lot", "council" …) and English stop
words are left out, so two contracts are similar only through the words that say what is bought.

Threshold: :data:`SIMILARITY_THRESHOLD` = 0.5. Checked by hand on Salford's register (360 lines,
``shared/data/contracts``): pairs at 0.5 or above were almost all the same kind of work
("Greater Manchester Fostering Framework" and "… Residential Framework", holiday activities for
disabled children, street lighting); between 0.3 and 0.4 most shared a single word ("Tree
survey works" and "Portakabin for Willow Tree Primary School"). Welsh-only and English-only
descriptions of the same work are not matched (the words differ).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SIMILARITY_THRESHOLD = 0.5

PROCUREMENT_STOP_WORDS = frozenset(
    {
        "agreement",
        "award",
        "borough",
        "city",
        "contract",
        "contracts",
        "council",
        "county",
        "framework",
        "lot",
        "lots",
        "procurement",
        "provide",
        "provision",
        "service",
        "services",
        "supply",
        "tender",
    }
)


def normalised_text(title: str, description: str) -> str:
    """Title and description in lower case, letters only (numbers and punctuation dropped)."""
    text = f"{title} {description if description != title else ''}".lower()
    return re.sub(r"[^a-zà-ÿŵŷ]+", " ", text).strip()


def similar_pairs(
    queries: Sequence[str], candidates: Sequence[str], *, threshold: float = SIMILARITY_THRESHOLD
) -> list[list[tuple[int, float]]]:
    """For each query text, the candidates (index, cosine similarity 0–1) at or above
    ``threshold``, most similar first. Texts are :func:`normalised_text` output."""
    if not queries or not candidates:
        return [[] for _ in queries]
    # Imported here: scikit-learn takes about a second to import, and every process that
    # loads the pages would pay for it (see procurement.categorising).
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    vectoriser = TfidfVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS | PROCUREMENT_STOP_WORDS),
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w{3,}\b",
    )
    try:
        matrix = vectoriser.fit_transform([*candidates, *queries])
    except ValueError:  # no word left in any text
        return [[] for _ in queries]
    # Rows are L2-normalised, so the dot product is the cosine similarity.
    scores = (matrix[len(candidates) :] @ matrix[: len(candidates)].T).tocsr()
    found: list[list[tuple[int, float]]] = []
    for row in range(len(queries)):
        start, end = scores.indptr[row], scores.indptr[row + 1]
        pairs = [
            (int(index), float(value))
            for index, value in zip(scores.indices[start:end], scores.data[start:end], strict=True)
            if value >= threshold
        ]
        found.append(sorted(pairs, key=lambda pair: (-pair[1], pair[0])))
    return found
