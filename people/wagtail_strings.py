"""Wagtail admin messages that Wagtail's own zh-hans catalogue does not translate yet.

Listed with `gettext_noop` so that `makemessages` keeps them in this project's catalogue,
which Django consults before Wagtail's: the admin then reads Chinese where Wagtail's
catalogue would fall back to English. Each msgid is copied exactly from Wagtail's source;
`tests/people/test_admin_translation.py` checks that each one is still in Wagtail's
source and that it is translated here. When Wagtail's catalogue catches up, remove the line.
"""

from django.utils.translation import gettext_noop

WAGTAIL_MSGIDS = [
    gettext_noop("The page could not be created due to validation errors."),
    gettext_noop("Go to the first error"),
    gettext_noop("Your pages and snippets in a workflow"),
    gettext_noop("Privacy and access"),
    gettext_noop("Autosave is paused"),
    gettext_noop("This %(model_name)s is currently awaiting moderation."),
    gettext_noop(
        "This {model_name} is awaiting <b>'{task_name}'</b> in the <b>'{workflow_name}'</b> "
        "workflow."
    ),
    gettext_noop("Only reviewers for this task can edit the %(model_name)s."),
]
