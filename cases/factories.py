"""factory_boy factories for the case library (used by tests, the demo and the benchmark)."""

import datetime

import factory

from powers.factories import EnforcementFieldFactory

from .models import CaseLibraryPage, CasePage
from .selectors import site_root_page as site_root

__all__ = ["CaseLibraryPageFactory", "CasePageFactory"]


class CaseLibraryPageFactory(factory.Factory):
    """A published library page under the site root."""

    class Meta:
        model = CaseLibraryPage

    title = "以案说法"
    slug = factory.Sequence(lambda n: "cases" if n == 0 else f"cases-{n}")

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        parent = parent or site_root()
        existing = CaseLibraryPage.objects.child_of(parent).filter(slug=kwargs["slug"]).first()
        if existing is not None:
            return existing
        page = parent.add_child(instance=model_class(**kwargs))
        page.save_revision().publish()
        return page


class CasePageFactory(factory.Factory):
    """A case under a library, published (and so indexed) unless `publish=False`.

    `powers` is a list of powers; `parent` the library.
    """

    class Meta:
        model = CasePage

    title = factory.Sequence(lambda n: f"某镇违法行为查处案{n}")
    slug = factory.Sequence(lambda n: f"case-{n}")
    case_number = factory.Sequence(lambda n: f"濮县某镇综执罚〔2024〕{n}号")
    decided_on = datetime.date(2024, 5, 20)
    facts = "<p>执法人员巡查时发现当事人实施违法行为，经调查属实。</p>"
    penalty = "罚款人民币五千元"
    field = factory.LazyFunction(lambda: EnforcementFieldFactory())

    @classmethod
    def _create(cls, model_class, *args, parent, powers=(), publish=True, **kwargs):
        page = model_class(live=publish, **kwargs)
        if powers:
            page.powers = list(powers)
            page.field = powers[0].field
        page = parent.add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
            page.refresh_from_db()
        return page
