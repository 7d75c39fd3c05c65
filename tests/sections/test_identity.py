"""A section keeps its id while its heading or most of its words stay, wherever it moves."""

from app.sections.identity import Known, Named, name

BEFORE = [
    Known("preamble", "", "We, the partners, agree on what follows."),
    Known("trust", "Trust", "We trust each other and share what we learn openly."),
    Known(
        "resources-and-structures",
        "Resources and Structures",
        "Partners share money, people and tools fairly across the movement.",
    ),
]


def _keys(found: list[Named]) -> list[str]:
    return [n.key for n in found]


def test_unchanged_and_moved_sections_keep_their_ids() -> None:
    after = [
        ("Resources and Structures", BEFORE[2].body),
        ("", BEFORE[0].body),
        ("Trust", BEFORE[1].body),
    ]
    assert _keys(name(BEFORE, after)) == ["resources-and-structures", "preamble", "trust"]


def test_a_renamed_heading_keeps_its_id_and_so_does_rewritten_text_under_one() -> None:
    after = [
        ("", "Something else entirely now."),
        ("Mutual trust", BEFORE[1].body + " Always."),
        ("Resources and Structures", "Completely new words about budgets."),
    ]
    assert _keys(name(BEFORE, after)) == ["preamble", "trust", "resources-and-structures"]


def test_a_section_renamed_and_rewritten_is_a_new_one() -> None:
    after = [("Culture", "Different words about how we behave together.")]
    found = name(BEFORE, after)
    assert _keys(found) == ["culture"]
    assert found[0].split_from is None
    assert found[0].merged_from == ()


def test_a_split_and_a_merge_are_shown_as_such() -> None:
    split = name(
        BEFORE[1:2],
        [
            ("Trust", "We trust each other and share"),
            ("Sharing", "what we learn openly and each other"),
        ],
    )
    assert split == [Named("trust"), Named("sharing", split_from="trust")]
    merged = name(
        BEFORE[1:],
        [("Trust", BEFORE[1].body + " " + BEFORE[2].body)],
    )
    assert merged == [Named("trust", merged_from=("resources-and-structures",))]


def test_new_ids_come_from_headings_and_never_repeat_one_in_use() -> None:
    found = name(BEFORE, [("Trust", BEFORE[1].body), ("Trust", "More about trust later on.")])
    assert _keys(found) == ["trust", "trust-2"]
    assert _keys(name([], [("Ресурси й структури", "x"), ("!!!", "y")])) == [
        "ресурси-й-структури",
        "section",
    ]
    long = "Statement on Partnerships in the Wikimedia Movement, as agreed in Berlin"
    assert _keys(name([], [(long, "")])) == ["statement-on-partnerships-in-the-wikimedia"]


def test_the_same_texts_always_give_the_same_ids() -> None:
    after = [("Trust", "new"), ("Culture", "words"), ("", "preface")]
    assert name(BEFORE, after) == name(BEFORE, after)
