"""atheris target: the WARC/ARC reader (warcio instrumented too).

    .venv/bin/python fuzz/fuzz_warc.py -atheris_runs=20000 -timeout=10
"""

from _target import load, main, pick

fuzz = load(("storydesk.ingest.warc", "warcio.archiveiterator"), third_party=("warcio",))


def test_one_input(data: bytes) -> None:
    fmt, rest = pick(data, ("warc", "warc", "arc"))
    fuzz.fuzz_warc(rest, fmt=str(fmt))


if __name__ == "__main__":
    main(test_one_input)
