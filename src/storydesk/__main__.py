"""`python -m storydesk` runs the CLI."""

from storydesk.cli import main

main()
