"""atheris target: the date normaliser.

    .venv/bin/python fuzz/fuzz_dates.py -atheris_runs=20000 -timeout=10
"""

from _target import LANGUAGES, load, main, pick

fuzz = load(("storydesk.ingest.dates",), third_party=())


def test_one_input(data: bytes) -> None:
    language, rest = pick(data, LANGUAGES)
    fuzz.fuzz_date(rest, language)  # type: ignore[arg-type]


if __name__ == "__main__":
    main(test_one_input)
