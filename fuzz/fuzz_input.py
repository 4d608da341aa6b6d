"""atheris target: the whole ingest path for one file (sniff, gzip, any reader).

    .venv/bin/python fuzz/fuzz_input.py -atheris_runs=20000 -timeout=10
"""

from _target import NAMES, load, main, pick

fuzz = load(("storydesk.ingest",), third_party=())


def test_one_input(data: bytes) -> None:
    name, rest = pick(data, NAMES)
    fuzz.fuzz_input(rest, str(name))


if __name__ == "__main__":
    main(test_one_input)
