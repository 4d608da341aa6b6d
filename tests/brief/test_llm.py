"""The optional abstractive mode against a real HTTP server that speaks chat-completions.

The server runs in a thread on 127.0.0.1 and answers from a canned queue; it records every
request so tests can see what was sent, and that nothing is sent when no model is configured.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from storydesk.brief import llm_configured, summarise
from storydesk.brief.extractive import summarise_extractive
from storydesk.brief.guard import check_sentence
from storydesk.brief.llm import abstractive, parse_answer, source_sentences
from storydesk.errors import LLMError
from storydesk.records import CrossCheck
from storydesk.settings import Settings


class FakeLLM:
    """A chat-completions server: pops one canned (status, content) per request."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, str]] = []
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, **body})
                outer.headers.append(dict(self.headers))
                status, content = outer.answers.pop(0) if outer.answers else (500, "no answer queued")
                if status == 200:
                    payload = {"id": "x", "object": "chat.completion", "model": body.get("model"),
                               "choices": [{"index": 0, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": content}}]}
                    data = json.dumps(payload).encode()
                else:
                    data = content.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def fake_llm() -> Iterator[FakeLLM]:
    srv = FakeLLM()
    yield srv
    srv.close()


def configured(srv: FakeLLM, **kw) -> Settings:
    return Settings(embed=False, brief_words=60, llm_url=srv.url, llm_model="test-model",
                    llm_api_key="sekrit", **kw)


def numbered(articles) -> dict[str, int]:
    """Sentence text -> its number in the prompt."""
    return {s.passage.text: s.number for s in source_sentences(articles, {})}


def test_faithful_answer_is_kept_with_its_citations(fake_llm, same_fact_story):
    nums = numbered(same_fact_story)
    n_alpha = nums[next(t for t in nums if t.startswith("Pakistan launched") and "nine" in t)]
    n_gamma = nums[next(t for t in nums if t.startswith("Nine people"))]
    n_tehran = nums[next(t for t in nums if t.startswith("Tehran summoned"))]
    fake_llm.answers.append((200, f"Pakistan's missile strikes on Iran killed nine people near Saravan on "
                                  f"Thursday [{n_alpha}][{n_gamma}]. Tehran summoned the Pakistani "
                                  f"envoy to protest [{n_tehran}]."))
    brief = summarise(same_fact_story, CrossCheck(), {}, configured(fake_llm))
    assert [b.text for b in brief] == [
        "Pakistan's missile strikes on Iran killed nine people near Saravan on Thursday.",
        "Tehran summoned the Pakistani envoy to protest.",
    ]
    assert brief[0].sources == ("a1", "c3")
    assert brief[1].sources == ("c3",)
    req = fake_llm.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["model"] == "test-model"
    assert fake_llm.headers[0]["Authorization"] == "Bearer sekrit"
    prompt = req["messages"][-1]["content"]
    assert f"[{n_gamma}] (gamma) Nine people were killed" in prompt


def test_fabricated_number_is_caught(fake_llm, same_fact_story):
    nums = numbered(same_fact_story)
    n_alpha = nums[next(t for t in nums if t.startswith("Pakistan launched") and "nine" in t)]
    fake_llm.answers.append((200, f"Pakistan's strikes on Iran killed 12 people near Saravan [{n_alpha}]."))
    brief = abstractive(same_fact_story, CrossCheck(), {}, configured(fake_llm))
    text = " ".join(b.text for b in brief)
    assert "12" not in text
    # repaired from the cited source itself
    assert brief[0].text.startswith("Pakistan launched missile strikes on Iran on Thursday, killing nine")
    assert brief[0].sources == ("a1",)


def test_fabricated_name_is_caught(fake_llm, same_fact_story):
    nums = numbered(same_fact_story)
    n_tehran = nums[next(t for t in nums if t.startswith("Tehran summoned"))]
    fake_llm.answers.append((200, f"Foreign minister Hossein Amirabdollahian summoned the Pakistani envoy "
                                  f"in Tehran to protest [{n_tehran}]."))
    brief = abstractive(same_fact_story, CrossCheck(), {}, configured(fake_llm))
    assert all("Amirabdollahian" not in b.text for b in brief)
    assert brief[0].text.startswith("Tehran summoned the Pakistani envoy")


def test_uncited_and_unknown_citations_are_caught(fake_llm, same_fact_story):
    fake_llm.answers.append((200, "Pakistan struck Iran. Nine people died in the attack [999]."))
    with pytest.raises(LLMError):
        abstractive(same_fact_story, CrossCheck(), {}, configured(fake_llm))


def test_guard_verdicts():
    src = ["Nine people were killed when Pakistan launched missile strikes near Saravan."]
    assert check_sentence("Pakistan's missile strikes near Saravan killed nine people.", src).ok
    bad_number = check_sentence("Pakistan's missile strikes near Saravan killed 19 people.", src)
    assert not bad_number.ok and "19" in bad_number.problems[0]
    bad_name = check_sentence("Pakistan's missile strikes near Zahedan killed nine people.", src)
    assert not bad_name.ok and "zahedan" in bad_name.problems[0]
    assert not check_sentence("Nine people were killed.", []).ok


def test_parse_answer_moves_markers_back_to_their_sentence():
    got = parse_answer("Pakistan struck Iran. [1][2] Nine people died there [3, 4]. Short [5].\n"
                       "The U.S. urged restraint.[6]")
    assert got == [("Pakistan struck Iran.", (1, 2)), ("Nine people died there.", (3, 4, 5)),
                   ("The U.S. urged restraint.", (6,))]


@pytest.mark.parametrize("status,content", [(500, "boom"), (200, "   "), (404, "not found")])
def test_endpoint_failure_falls_back_to_extractive(fake_llm, same_fact_story, status, content):
    fake_llm.answers.append((status, content))
    settings = configured(fake_llm)
    brief = summarise(same_fact_story, CrossCheck(), {}, settings)
    assert len(fake_llm.requests) == 1
    assert brief == summarise_extractive(same_fact_story, CrossCheck(), {}, settings)


def test_unreachable_endpoint_falls_back(same_fact_story):
    srv = FakeLLM()
    srv.close()  # nothing listens on this port any more
    settings = configured(srv)
    brief = summarise(same_fact_story, CrossCheck(), {}, settings)
    assert brief == summarise_extractive(same_fact_story, CrossCheck(), {}, settings)


def test_no_model_configured_means_no_request(fake_llm, same_fact_story):
    fake_llm.answers.append((200, "Pakistan struck Iran [1]."))
    for settings in (Settings(embed=False, llm_url=fake_llm.url),  # URL but no model
                     Settings(embed=False, llm_model="m"),  # model but no URL
                     Settings(embed=False)):
        assert not llm_configured(settings)
        brief = summarise(same_fact_story, CrossCheck(), {}, settings)
        assert brief == summarise_extractive(same_fact_story, CrossCheck(), {}, settings)
    assert fake_llm.requests == []
