"""atheris target: the charset decoder.

    .venv/bin/python fuzz/fuzz_decode.py -atheris_runs=20000 -timeout=10
"""

from _target import CHARSETS, load, main, pick

fuzz = load(("storydesk.ingest.decode",), third_party=())


def test_one_input(data: bytes) -> None:
    declared, rest = pick(data, CHARSETS)
    fuzz.fuzz_decode(rest, declared)  # type: ignore[arg-type]


if __name__ == "__main__":
    main(test_one_input)
