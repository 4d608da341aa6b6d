"""atheris target: the HTML reader (decoding, depth and time bounds, trafilatura).

    .venv/bin/python fuzz/fuzz_html.py -atheris_runs=20000 -timeout=10
"""

from _target import load, main

fuzz = load(("storydesk.ingest.html", "storydesk.ingest._common"), third_party=())


def test_one_input(data: bytes) -> None:
    fuzz.fuzz_html(data)


if __name__ == "__main__":
    main(test_one_input)
