"""The offline summary (ADR 0009): the most central sentence of each topic of a text, in the
text's order, each named by its place in the source.

Sentences are cut, repeats dropped, weighted by TF-IDF over their words (French and English
stop words left out), compared by cosine similarity and grouped into topics by agglomerative
clustering (average linkage); in each topic the sentence most similar to the others of its
topic is kept (LexRank's idea, within a topic: ranking the whole text by centrality alone
keeps sentences of its main topic only). The largest topics come first when there are more
topics than sentences wanted.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import numpy as np

# Past this many sentences, the last ones are summarised (a chat's unread messages, a long
# transcript's end): clustering costs the cube of the count (600: a fraction of a second).
MAX_SENTENCES = 600
MAX_CHARACTERS = 200_000  # of the text, its end; and of one sentence, its start:
MAX_SENTENCE = 1_000
MAX_WORDS = 5_000  # columns of the TF-IDF matrix
DUPLICATE = 0.9  # cosine similarity past which a sentence repeats an earlier one
TOPIC = 0.08  # average similarity under which two groups of sentences are different topics
MIN_WORDS = 3  # shorter sentences ("OK.", "Merci à tous.") say nothing on their own

STOP_LIST = """
    a à afin ai aie aient ainsi alors as au aucun aussi autre aux avait avant avec avoir avons
    bon c ça car ce ceci cela celle celles celui ces cet cette chaque chez ci comme comment d
    dans de des donc dont du elle elles en encore entre es est et été être eu eux fait faire
    fais faut il ils j je jusqu l la le les leur leurs lui m ma mais me même mes moi mon n ne
    ni nos notre nous on ont ou où par parce pas peu peut plus pour pourquoi qu quand que quel
    quelle quelles quels qui quoi s sa sans se sera ses si sien son sont sous suis sur t ta te
    tes toi ton tous tout toute toutes très tu un une vers voici voilà vos votre vous vu y
    about above after again against all am an and any are aren as at be because been before
    being below between both but by can could did do does doing don down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just let me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves also yes oui non ok okay
    """
STOP_WORDS = frozenset(STOP_LIST.split())

SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«“(\[]?[A-ZÀ-ÖØ-Þ0-9])|\n+")
APOSTROPHE = "\u2019"  # typographic, as French is written
WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?", re.UNICODE)


@dataclass(frozen=True)
class Kept:
    """A sentence kept: its place among the source's sentences (0-based), the part of the
    source it came from (a message, a line of a transcript), and its text."""

    index: int
    part: int
    text: str


def sentences_of(parts: list[str]) -> list[tuple[int, str]]:
    """The sentences of each part (a message, a paragraph, a line): (part's index, text)."""
    found = []
    for number, part in enumerate(parts):
        for piece in SENTENCE_END.split(part):
            text = " ".join(piece.split())
            if text:
                found.append((number, text))
    return found


def words_of(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).lower().replace(APOSTROPHE, "'")
    words = []
    for word in WORD.findall(folded):
        word = word.split("'")[-1]  # l'équipe -> équipe, d'accord -> accord
        if len(word) < 2 or word in STOP_WORDS:
            continue
        if len(word) > 3 and word[-1] in "sx":  # réunions/réunion, budgets/budget
            word = word[:-1]
        words.append(word)
    return words


def tfidf(documents: list[list[str]]) -> np.ndarray:
    """Rows of L2-normalised TF-IDF weights, one per sentence. In a long text only the words
    of two sentences or more count (a word of one sentence makes no two sentences alike), and
    the MAX_WORDS most widespread of them: the matrix stays small whatever is written."""
    frequency: Counter[str] = Counter()
    for words in documents:
        frequency.update(set(words))
    shared = len(documents) > 50
    kept = [word for word, count in frequency.most_common() if count > 1 or not shared]
    vocabulary = {word: column for column, word in enumerate(kept[:MAX_WORDS])}
    matrix = np.zeros((len(documents), max(len(vocabulary), 1)), dtype=np.float32)
    for row, words in enumerate(documents):
        for word, count in Counter(words).items():
            column = vocabulary.get(word)
            if column is not None:
                matrix[row, column] = count / len(words)
    spread = (matrix > 0).sum(axis=0)
    matrix *= (np.log((1 + len(documents)) / (1 + spread)) + 1).astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def topics(similarity: np.ndarray, threshold: float = TOPIC) -> list[list[int]]:
    """Agglomerative clustering with average linkage: groups merge while the two closest are
    at least ``threshold`` alike on average."""
    size = len(similarity)
    linkage = similarity.astype(float).copy()
    np.fill_diagonal(linkage, -np.inf)
    members: dict[int, list[int]] = {row: [row] for row in range(size)}
    while len(members) > 1:
        first, second = np.unravel_index(np.argmax(linkage), linkage.shape)
        if linkage[first, second] < threshold:
            break
        a, b = int(min(first, second)), int(max(first, second))
        weight_a, weight_b = len(members[a]), len(members[b])
        merged = (linkage[a] * weight_a + linkage[b] * weight_b) / (weight_a + weight_b)
        linkage[a], linkage[:, a] = merged, merged
        linkage[a, a] = -np.inf
        linkage[b], linkage[:, b] = -np.inf, -np.inf
        members[a] += members.pop(b)
    return list(members.values())


def last_characters(parts: list[str]) -> list[str]:
    """The parts as they are, or their end when they hold more than MAX_CHARACTERS (the
    parts before it empty: each keeps its place)."""
    total, kept = 0, [""] * len(parts)
    for number in range(len(parts) - 1, -1, -1):
        room = MAX_CHARACTERS - total
        if room <= 0:
            break
        kept[number] = parts[number][-room:]
        total += len(kept[number])
    return kept


def summarise(parts: list[str], wanted: int | None = None) -> list[Kept]:
    """The sentences that summarise ``parts`` (messages, paragraphs or transcript lines), in
    their order; ``wanted`` sentences at most (by default about one in five, 2 to 7)."""
    cut = [
        Kept(index, part, text[:MAX_SENTENCE])
        for index, (part, text) in enumerate(sentences_of(last_characters(parts)))
        if len(text.split()) >= MIN_WORDS
    ][-MAX_SENTENCES:]
    if not cut:
        return []
    vectors = tfidf([words_of(sentence.text) for sentence in cut])
    similarity = vectors @ vectors.T
    # Repeats go: a sentence too close to one kept before it adds nothing.
    unique: list[int] = []
    for row in np.flatnonzero(vectors.any(axis=1)):  # not stop words only
        if not unique or similarity[row, unique].max() < DUPLICATE:
            unique.append(int(row))
    if not unique:
        return []
    # By default about one sentence in five, 2 to 7 (1 for a text of one or two sentences).
    count = wanted or (1 if len(unique) <= 2 else max(2, min(7, math.ceil(len(unique) / 5))))
    count = min(count, len(unique))
    within = similarity[np.ix_(unique, unique)]
    overall = within.sum(axis=1)  # how much a sentence shares with the whole text
    groups = topics(within)
    # The largest topics first; among topics of one size, the one closest to the whole text.
    groups.sort(key=lambda group: (len(group), max(overall[group])), reverse=True)
    # Each topic's sentences, the most central first; one from each topic in turn (fewer
    # topics than sentences wanted: the largest topics give a second one, and so on).
    ranked = []
    for group in groups:
        centrality = within[np.ix_(group, group)].sum(axis=1) + overall[group] / len(unique)
        ranked.append([group[i] for i in np.argsort(-centrality, kind="stable")])
    chosen: list[int] = []
    while len(chosen) < count:
        for order in ranked:
            if order and len(chosen) < count:
                chosen.append(unique[order.pop(0)])
    return [cut[row] for row in sorted(chosen)]
