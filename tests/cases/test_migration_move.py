"""The case library moved from `courses` to its own app: a database migrated before the move
migrates forward with every case, revision, search term, reading and assignment intact, and
back again."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from wagtail.models import Revision

import pytest

from cases.factories import CaseLibraryPageFactory, CasePageFactory
from cases.models import CaseAssignment, CasePage, CaseReading, CaseSearchTerm
from cases.services import case_assign, case_reading_record
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from powers.factories import PowerFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("courses", "0005_county_approval_task"), ("cases", None)]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchone()[0]


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.fixture
def library_in_use(city):
    library = CaseLibraryPageFactory()
    power = PowerFactory(name="对未经批准占用土地建住宅的处罚")
    case = CasePageFactory(
        parent=library, title="村民未经批准占用耕地建住宅案", powers=[power], county=city["county1"]
    )
    case.title = "村民未经批准占用耕地建住宅案（修订）"
    case.save_revision()  # a draft on top of the published revision
    officer = OfficerFactory(unit=city["township11"])
    case_reading_record(officer=officer, page=case)
    supervisor = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
    case_assign(actor=supervisor, page=case, unit=city["township11"])
    return {
        "case": case,
        "content_type": ContentType.objects.get_for_model(CasePage).pk,
        "revisions": Revision.objects.filter(object_id=str(case.pk)).count(),
        "terms": CaseSearchTerm.objects.filter(page=case).count(),
    }


def test_the_case_library_survives_the_move_back_and_forth(library_in_use):
    case = library_in_use["case"]
    assert library_in_use["terms"] > 0
    assert library_in_use["revisions"] == 2

    # Back to the layout before the move: the rows are in the courses tables again, and the
    # content type is the courses one, with the same id.
    _migrate(BEFORE_THE_MOVE)
    tables = _tables()
    assert "courses_casepage" in tables and "cases_casepage" not in tables
    assert _count("courses_casepage") == 1
    assert _count("courses_casereading") == 1
    assert _count("courses_caseassignment") == 1
    assert _count("courses_casesearchterm") == library_in_use["terms"]
    assert _count("courses_casepage_powers") == 1
    moved_back = ContentType.objects.get(pk=library_in_use["content_type"])
    assert (moved_back.app_label, moved_back.model) == ("courses", "casepage")

    # Forward to today's layout: the same rows, under the cases app's names.
    _migrate(_latest())
    tables = _tables()
    assert "cases_casepage" in tables and "courses_casepage" not in tables
    ContentType.objects.clear_cache()
    content_type = ContentType.objects.get(pk=library_in_use["content_type"])
    assert (content_type.app_label, content_type.model) == ("cases", "casepage")

    page = CasePage.objects.get(pk=case.pk)
    assert page.live
    assert page.specific_class is CasePage
    assert [power.name for power in page.powers.all()] == ["对未经批准占用土地建住宅的处罚"]
    revisions = Revision.objects.filter(object_id=str(case.pk)).order_by("created_at", "pk")
    assert revisions.count() == library_in_use["revisions"]
    latest = revisions.last().as_object()
    assert isinstance(latest, CasePage)
    assert latest.title == "村民未经批准占用耕地建住宅案（修订）"
    assert CaseReading.objects.filter(page=page).count() == 1
    assert CaseAssignment.objects.filter(page=page).count() == 1
    assert CaseSearchTerm.objects.filter(page=page).count() == library_in_use["terms"]
