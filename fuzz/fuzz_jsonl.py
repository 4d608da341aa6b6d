"""atheris target: the JSON Lines reader.

    .venv/bin/python fuzz/fuzz_jsonl.py -atheris_runs=20000 -timeout=10
"""

from _target import load, main

fuzz = load(("storydesk.ingest.jsonl",), third_party=())


def test_one_input(data: bytes) -> None:
    fuzz.fuzz_jsonl(data)


if __name__ == "__main__":
    main(test_one_input)
