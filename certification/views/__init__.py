"""Views of certification: thin callers of the selectors and services, scoped to the viewer.

Every page starts from `units_visible_to` / `officers_visible_to`: another area's unit or
officer is a 404, never a 403 that would confirm it exists.
"""

from .officer import (
    my_certificate,
    my_transcript,
    notifications,
    officer_detail,
    officer_transcript,
)
from .public import verify
from .reinstatement import (
    officer_suspend_view,
    reinstatement_request_view,
    reinstatement_requests,
    reinstatement_requests_decide_view,
)
from .supervision import dashboard, dashboard_unit, export_download, export_start, export_status
from .workflow import (
    annual_review,
    application_action,
    application_detail,
    application_list,
    application_new,
    application_pdf,
    exam_import,
)

__all__ = [
    "annual_review",
    "application_action",
    "application_detail",
    "application_list",
    "application_new",
    "application_pdf",
    "dashboard",
    "dashboard_unit",
    "exam_import",
    "export_download",
    "export_start",
    "export_status",
    "my_certificate",
    "my_transcript",
    "notifications",
    "officer_detail",
    "officer_suspend_view",
    "reinstatement_request_view",
    "reinstatement_requests",
    "reinstatement_requests_decide_view",
    "officer_transcript",
    "verify",
]
