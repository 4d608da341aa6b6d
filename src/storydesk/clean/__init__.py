"""Clean: page chrome out of article text, every cut audited (see `document` and `templates`)."""

from storydesk.clean.document import clean_document
from storydesk.clean.templates import OutletTemplates, apply_templates, learn_templates

__all__ = ["OutletTemplates", "apply_templates", "clean_document", "learn_templates"]
