"""Outlet templates: paragraphs repeated across unrelated articles of one outlet are cut."""

from __future__ import annotations

import pickle

from storydesk.clean import OutletTemplates, apply_templates, learn_templates
from storydesk.records import Article

TOPICS = [
    "The harbour authority reopened the northern pier after repairs that took eleven weeks to finish.",
    "A local bakery won the regional bread prize for its sourdough, beating forty other entrants.",
    "Firefighters rescued two hikers stranded overnight on the ridge above the reservoir.",
    "The school board voted to extend the lunch break by ten minutes starting next semester.",
    "Heavy rain flooded the market square, forcing traders to move their stalls indoors.",
]
TEMPLATE = "The Harbour Gazette is an independent newspaper serving the coast since 1887."
LABEL = "Local News"


def _article(i: int, body: list[str], outlet: str = "Harbour Gazette", url: str | None = None) -> Article:
    text = "\n".join(body)
    return Article(
        id=f"a{i}", outlet=outlet, title=f"t{i}", url=url, published=None, language="en", raw_text=text, text=text
    )


def test_repeated_paragraph_is_template_and_audited() -> None:
    arts = [_article(i, [LABEL, topic, TEMPLATE]) for i, topic in enumerate(TOPICS)]
    templates = learn_templates(arts)
    assert len(templates) == 2
    cleaned = apply_templates(arts[0], templates)
    assert cleaned.text == TOPICS[0]
    assert [r.reason for r in cleaned.removed] == ["outlet-template", "outlet-template"]
    assert "5 of 5" in cleaned.removed[0].rule
    assert cleaned.id == arts[0].id and cleaned.raw_text == arts[0].raw_text


def test_other_outlets_and_rare_lines_untouched() -> None:
    arts = [_article(i, [topic, TEMPLATE]) for i, topic in enumerate(TOPICS)]
    arts += [_article(9, [TOPICS[0], TEMPLATE], outlet="Other Paper")]
    arts += [_article(10, [TOPICS[1], "A line seen once.", TEMPLATE])]
    templates = learn_templates(arts)
    assert apply_templates(arts[5], templates) is arts[5]  # other outlet: only one article
    assert "A line seen once." in apply_templates(arts[6], templates).text


def test_two_copies_are_not_a_template() -> None:
    arts = [_article(i, [topic, TEMPLATE if i < 2 else f"Filler {i}."]) for i, topic in enumerate(TOPICS)]
    assert len(learn_templates(arts)) == 0


def test_running_story_background_is_news_not_template() -> None:
    background = (
        "The strike began on 3 March when dock workers walked out over pay, halting all container "
        "traffic through the port."
    )
    story = [
        "Talks between the dock workers' union and port operators resumed on Monday without a mediator.",
        "Union leaders said dock workers would hold a vote on the port operators' latest pay offer on Friday.",
        "Port operators warned that container traffic could be diverted if the dock workers' strike continued.",
        "Dock workers rejected the pay offer from port operators by a wide margin in Friday's union vote.",
    ]
    arts = [_article(i, [s, background]) for i, s in enumerate(story)]
    templates = learn_templates(arts)
    assert background in apply_templates(arts[0], templates).text


def test_outlet_from_url_host_and_serialisation() -> None:
    arts = [
        _article(i, [topic, TEMPLATE], outlet=None, url=f"https://www.gazette.example/n/{i}")
        for i, topic in enumerate(TOPICS)
    ]
    templates = learn_templates(arts)
    assert "gazette.example" in templates.outlets
    again = OutletTemplates.from_bytes(templates.to_bytes())
    assert again == templates
    assert pickle.loads(pickle.dumps(templates)) == templates
    assert apply_templates(arts[1], again).text == TOPICS[1]


def test_learning_again_over_cleaned_articles_is_stable() -> None:
    arts = [_article(i, [topic, TEMPLATE]) for i, topic in enumerate(TOPICS[:4])]
    cleaned = [apply_templates(a, learn_templates(arts)) for a in arts]
    assert all(TEMPLATE not in a.text for a in cleaned)
    # a new article arrives; the stored ones no longer hold the line in their text
    new = _article(9, ["The lighthouse keeper retired after forty years on the rocks.", TEMPLATE])
    again = learn_templates([*cleaned, new])
    assert apply_templates(new, again).text == "The lighthouse keeper retired after forty years on the rocks."
    assert apply_templates(cleaned[0], again) is cleaned[0]  # idempotent: nothing more to cut
