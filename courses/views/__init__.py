"""Views of the training area (not Wagtail pages), by kind of training and audience: thin
callers of `courses.services` and `courses.selectors`.

Every view is scoped: an officer reaches only their own sign-ups, applications and
evaluations, staff only what lies in their area; anything else is a 404, not a 403, so
the existence of another township's records is not revealed.
"""
