"""Signals of the people app, for apps higher up that keep their own state in step with roles.

`role_assigned` is sent after `people.services.role_assign` gives a user a role
(arguments: `assignment`, a `RoleAssignment`; `created`, False when it already existed).
"""

from django.dispatch import Signal

role_assigned = Signal()
