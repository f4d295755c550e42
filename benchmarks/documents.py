"""Korean-variant benchmark: celtrace's DPRK/ROK classifier against a plain n-gram baseline, on held-out text.

Run ``.venv/bin/python benchmarks/documents.py`` (the baseline needs the ``dev`` extra: scikit-learn). The
corpus is ``../shared/data/korean/kpc-dev.tsv`` (Handong AI Lab's Korean parallel corpus, GNU FDL 1.3: see
``LICENSE-KPC.txt`` beside it): aligned DPRK and ROK renderings of 5,624 sentences. The held-out 20% of pairs
(:func:`celtrace.documents.korean.is_held_out`) was never seen in training; each side of a pair is a sample.
Texts are stripped first: in the corpus DPRK sentences often end with a space, an artefact no real document
shares, and one that a character model would otherwise learn.

- celtrace: :func:`celtrace.documents.korean.classify`, which may answer ``unknown``.
- baseline: character 1-3-gram TF-IDF and a logistic regression trained on the same training part, answering
  everything, and answering only its surest samples at celtrace's answer rate.

Scores are for samples of 30+ characters: accuracy where it answers, and the share answered.
Target (issue 6): at least 0.99 accuracy where it answers, answering at least 80%.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from celtrace.documents.korean import classify, is_held_out

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "korean" / "kpc-dev.tsv"
LONG = 30
TARGET_ACCURACY = 0.99
TARGET_ANSWERED = 0.80


def read_samples(held_out: bool) -> tuple[list[str], np.ndarray]:
    """Both sides of the pairs on one side of the split, stripped; label 1 for DPRK, 0 for ROK."""
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    texts = [text.strip() for row in rows if is_held_out(row["nk"]) == held_out for text in (row["nk"], row["sk"])]
    return texts, np.array([1 - index % 2 for index in range(len(texts))])


def line(name: str, right: np.ndarray, answered: np.ndarray) -> str:
    """One result line: accuracy where answered, share answered."""
    accuracy = right[answered].mean() if answered.any() else float("nan")
    return f"{name:<40} accuracy {accuracy:.4f}  answered {answered.mean():.3f}  (n={answered.size})"


def main() -> int:
    if not CORPUS.exists():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 1
    train, train_y = read_samples(held_out=False)
    test, test_y = read_samples(held_out=True)
    long = np.array([len(text) >= LONG for text in test])

    verdicts = [classify(text) for text in test]
    ours_answered = np.array([verdict.label != "unknown" for verdict in verdicts])[long]
    ours_right = np.array(
        [verdict.label == ("dprk" if y else "rok") for verdict, y in zip(verdicts, test_y, strict=True)]
    )
    ours_right = ours_right[long]
    ours_all = np.array([(verdict.score > 0.5) == (y == 1) for verdict, y in zip(verdicts, test_y, strict=True)])[long]

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    model = LogisticRegression(max_iter=2000).fit(vectorizer.fit_transform(train), train_y)
    probability = model.predict_proba(vectorizer.transform(test))[:, 1][long]
    base_right = (probability > 0.5) == (test_y[long] == 1)
    margin = np.abs(probability - 0.5)
    rate = ours_answered.mean()
    cut = np.quantile(margin, 1 - rate) if rate > 0 else np.inf
    base_same_rate = margin >= cut

    print(f"held-out samples of {LONG}+ characters: {long.sum()} (of {len(test)}); training samples: {len(train)}")
    print(line("celtrace", ours_right, ours_answered))
    print(line("celtrace, answering all (score > 0.5)", ours_all, np.ones_like(ours_all)))
    print(line("baseline, answering all", base_right, np.ones_like(base_right)))
    print(line("baseline, at celtrace's answer rate", base_right, base_same_rate))
    accuracy = ours_right[ours_answered].mean() if ours_answered.any() else 0.0
    print(
        f"accuracy where answered {accuracy:.4f} (target >= {TARGET_ACCURACY}): "
        f"{'MET' if accuracy >= TARGET_ACCURACY else 'NOT MET'}"
    )
    print(f"share answered {rate:.3f} (target >= {TARGET_ANSWERED}): {'MET' if rate >= TARGET_ANSWERED else 'NOT MET'}")
    base_accuracy = base_right[base_same_rate].mean() if base_same_rate.any() else 0.0
    print(
        f"error ratio at the same answer rate, celtrace / baseline: {(1 - accuracy) / max(1 - base_accuracy, 1e-9):.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
