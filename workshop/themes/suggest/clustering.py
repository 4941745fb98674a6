"""Grouping unit vectors: a Ward tree cut into k groups, refined by spherical k-means, and the
choice of k by silhouette with a bias to fewer groups.

Plain numpy and scipy. The only random choice (which responses the silhouette is measured
on, when there are many) comes from the `numpy.random.Generator` passed in. scipy's clustering
is imported when first used (`hierarchy`): it takes half a second, which a command spends
while the encoders load rather than before it starts them.
"""

from __future__ import annotations

import numpy as np

ITERATIONS = 30
SILHOUETTE_SAMPLE = 800
PARSIMONY = 0.10  # the smallest k whose silhouette is within 10% of the best one wins


def unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def relabel(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered 0..m-1 in order of first appearance."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))
    return order[inverse.ravel()]


def onehot(labels: np.ndarray, k: int | None = None) -> np.ndarray:
    k = int(labels.max()) + 1 if k is None else k
    matrix = np.zeros((len(labels), k), dtype=np.float32)
    matrix[np.arange(len(labels)), labels] = 1
    return matrix


def centroids(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    return unit(onehot(labels, k).T @ x)


def kmeans(x: np.ndarray, centers: np.ndarray, iterations: int = ITERATIONS) -> np.ndarray:
    """Spherical k-means (cosine) from the given centres; an emptied group takes the point
    farthest from its own centre, so k groups stay k groups."""
    k = len(centers)
    labels = np.argmax(x @ centers.T, axis=1)
    for _ in range(iterations):
        centers = centroids(x, labels, k)
        for empty in np.setdiff1d(np.arange(k), labels):
            fit = np.einsum("ij,ij->i", x, centers[labels])
            labels[int(np.argmin(fit))] = empty
            centers = centroids(x, labels, k)
        new = np.argmax(x @ centers.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def hierarchy():
    """scipy.cluster.hierarchy, imported on first use."""
    from scipy.cluster import hierarchy as module

    return module


def ward_tree(x: np.ndarray) -> np.ndarray:
    return hierarchy().linkage(x, method="ward")


def cut(tree: np.ndarray, k: int) -> np.ndarray:
    return relabel(hierarchy().fcluster(tree, k, criterion="maxclust") - 1)


def partition(x: np.ndarray, tree: np.ndarray, k: int) -> np.ndarray:
    """Ward's k groups, then k-means from their centres (fixes Ward's early mistakes)."""
    labels = cut(tree, k)
    return relabel(kmeans(x, centroids(x, labels, labels.max() + 1)))


def silhouette(distance: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> float:
    """Mean silhouette of `rows`, from their cosine distances to all points."""
    k = labels.max() + 1
    if k < 2:
        return -1.0
    members = onehot(labels)
    counts = members.sum(axis=0)
    mean = (distance @ members) / np.maximum(counts, 1)
    own = labels[rows]
    own_count = counts[own]
    index = np.arange(len(rows))
    a = mean[index, own] * own_count / np.maximum(own_count - 1, 1)
    mean[index, own] = np.inf
    b = mean.min(axis=1)
    score = np.where(own_count > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(score.mean())


def candidate_ks(low: int, high: int) -> list[int]:
    if high - low <= 24:
        return list(range(low, high + 1))
    return sorted({int(round(v)) for v in np.geomspace(low, high, 25)})


def choose_k(x: np.ndarray, tree: np.ndarray, low: int, high: int, rng) -> int:
    """The smallest k whose silhouette comes within PARSIMONY of the best in [low, high]
    (measured on the Ward cuts: as good a guide as the refined groups, at a tenth of the cost)."""
    rows = np.arange(len(x))
    if len(x) > SILHOUETTE_SAMPLE:
        rows = np.sort(rng.choice(len(x), SILHOUETTE_SAMPLE, replace=False))
    distance = (1 - x[rows] @ x.T).astype(np.float32)
    scores = {k: silhouette(distance, cut(tree, k), rows) for k in candidate_ks(low, high)}
    best = max(scores.values())
    return min(k for k, s in scores.items() if s >= best - PARSIMONY * abs(best))
