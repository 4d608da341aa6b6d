"""Evidence packages: one story, its report page, brief, record and sources, hashed in a zip.

`build_package(story, articles, originals=...)` makes the files in memory (`package_story(store,
id)` reads them from the store first), `write_package` zips them,
`verify_package(path)` checks a zip against its manifest (treating it as untrusted input).
`storydesk export-story` and `storydesk verify` (cli_more.py) are the commands over them.
"""

from storydesk.evidence.package import (
    FORMAT,
    FORMAT_VERSION,
    LIMITS,
    Package,
    PackageLimits,
    build_package,
    package_story,
    package_zip,
    read_originals,
    read_text_records,
    write_package,
)
from storydesk.evidence.verify import Problem, Verification, unsafe_name, verify_package

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "LIMITS",
    "Package",
    "PackageLimits",
    "Problem",
    "Verification",
    "build_package",
    "package_story",
    "package_zip",
    "read_originals",
    "read_text_records",
    "unsafe_name",
    "verify_package",
    "write_package",
]
