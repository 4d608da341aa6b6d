"""atheris target: number and date normalisation in cross-checking (quantities, dated expressions).

    .venv/bin/python fuzz/fuzz_numbers.py -atheris_runs=20000 -timeout=10

The same calls as tests/fuzz/test_fuzz_structured.py::test_number_and_date_expressions_never_raise:
any text gives a tuple of quantities, and every date expression found resolves without raising.
"""

from _target import load, main

load(("storydesk.crosscheck.numbers", "storydesk.crosscheck.dates"))

from storydesk.crosscheck.dates import find_dates, resolve  # noqa: E402  (after instrumentation)
from storydesk.crosscheck.numbers import extract_quantities  # noqa: E402


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    if not isinstance(extract_quantities(text), tuple):
        raise AssertionError("extract_quantities gave no tuple")
    for _start, _end, expr in find_dates(text):
        resolve(expr, None)


if __name__ == "__main__":
    main(test_one_input)
