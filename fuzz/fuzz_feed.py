"""atheris target: the RSS/Atom reader.

    .venv/bin/python fuzz/fuzz_feed.py -atheris_runs=20000 -timeout=10
"""

from _target import load, main

fuzz = load(("storydesk.ingest.feeds",), third_party=())


def test_one_input(data: bytes) -> None:
    fuzz.fuzz_feed(data)


if __name__ == "__main__":
    main(test_one_input)
