"""atheris target: the plain-text reader.

    .venv/bin/python fuzz/fuzz_text.py -atheris_runs=20000 -timeout=10
"""

from _target import load, main

fuzz = load(("storydesk.ingest.text",), third_party=())


def test_one_input(data: bytes) -> None:
    fuzz.fuzz_text(data)


if __name__ == "__main__":
    main(test_one_input)
