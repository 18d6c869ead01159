"""The offline summary: one central sentence per topic, in the text's order, repeats dropped,
each named by its place in the source."""

from __future__ import annotations

from ensemble.assist.extractive import MAX_SENTENCES, summarise

MEETING = [
    "Bonjour à tous, merci d'être venus.",
    "Le budget de la piscine municipale dépasse de 12 % la prévision initiale.",
    "Le budget de la piscine doit être revu avant le conseil municipal de mars.",
    "Pour la rentrée scolaire, il manque trois animateurs au centre de loisirs.",
    "Les animateurs du centre de loisirs seront recrutés par la direction des ressources humaines.",
    "La rentrée du centre de loisirs est prévue le 4 septembre.",
    "Le budget de la piscine municipale dépasse de 12 % la prévision initiale.",
    "Camille enverra le compte rendu vendredi.",
    "Le nouveau logiciel de gestion des salles sera installé en avril.",
    "La formation au logiciel des salles aura lieu en mai pour les agents d'accueil.",
]


def test_one_sentence_for_each_topic_in_the_order_of_the_text() -> None:
    kept = summarise(MEETING, 3)
    assert [sentence.part for sentence in kept] == sorted(sentence.part for sentence in kept)
    topics = {"piscine": 0, "loisirs": 0, "logiciel": 0}
    for sentence in kept:
        for word in topics:
            topics[word] += word in sentence.text
        assert sentence.text == MEETING[sentence.part]  # named by its place in the source
    assert topics == {"piscine": 1, "loisirs": 1, "logiciel": 1}


def test_the_largest_topics_come_first_and_repeats_are_not_kept_twice() -> None:
    kept = summarise(MEETING, 1)
    assert len(kept) == 1
    assert "loisirs" in kept[0].text  # three sentences on it; the piscine's third repeats one
    every = summarise(MEETING, 10)
    texts = [sentence.text for sentence in every]
    assert len(texts) == len(set(texts))


def test_english_and_sentences_within_one_message() -> None:
    parts = [
        "The new payroll system goes live in June. Training sessions start next week.",
        "The payroll system migration needs the finance team's data by May.",
        "Training sessions for the new payroll system are open to every agent.",
        "The car park will be closed for works during the summer holidays.",
        "Works on the car park start on the first of July.",
    ]
    kept = summarise(parts, 2)
    assert len(kept) == 2
    assert any("payroll" in s.text or "Training" in s.text for s in kept)
    assert any("car park" in s.text for s in kept)
    assert {s.index for s in kept} <= set(range(6))  # six sentences in five messages


def test_nothing_to_summarise() -> None:
    assert summarise([]) == []
    assert summarise(["OK.", "Merci !", "  "]) == []  # too short to say anything
    assert summarise(["Et alors, et donc, mais ou et."]) == []  # stop words only


def test_a_very_long_text_is_summarised_from_its_last_sentences() -> None:
    import random

    words = [
        "voirie",
        "école",
        "budget",
        "piscine",
        "crèche",
        "marché",
        "éclairage",
        "parc",
        "bibliothèque",
        "stade",
    ]
    pick = random.Random(7)
    parts = [
        f"Le dossier {pick.choice(words)} rejoint le dossier {pick.choice(words)} "
        f"et le dossier {pick.choice(words)} au conseil {n}."
        for n in range(2000)
    ]
    kept = summarise(parts, 3)
    assert len(kept) == 3
    assert all(sentence.index >= 2000 - MAX_SENTENCES for sentence in kept)


def test_made_up_words_by_the_thousand_keep_the_work_small() -> None:
    """A room full of messages of words never seen twice (a flood, or an attack) must not
    make the matrix grow with them: only words shared by two sentences count."""
    import random

    from ensemble.assist import extractive

    pick = random.Random(3)

    def nonsense() -> str:
        return "".join(pick.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(9))

    parts = [
        " ".join(nonsense() for _ in range(60)) + ". Le budget de la piscine est revu."
        for _ in range(500)
    ]
    vectors = extractive.tfidf(
        [extractive.words_of(text) for _, text in extractive.sentences_of(parts[:100])]
    )
    assert vectors.shape[1] <= 10  # the shared words only, not 6,000 made-up ones
    kept = summarise(parts, 2)
    assert 1 <= len(kept) <= 2
