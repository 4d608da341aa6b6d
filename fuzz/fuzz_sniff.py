"""atheris target: the format sniffer.

    .venv/bin/python fuzz/fuzz_sniff.py -atheris_runs=20000 -timeout=10
"""

from _target import NAMES, load, main, pick

fuzz = load(("storydesk.ingest.sniff",), third_party=())


def test_one_input(data: bytes) -> None:
    name, rest = pick(data, NAMES)
    fuzz.fuzz_sniff(rest, str(name))


if __name__ == "__main__":
    main(test_one_input)
