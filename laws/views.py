"""The review queue of citations due, and the side-by-side diff of a changed article.

Views decide nothing: who may review and what they see is `selectors.is_law_reviewer` and
`selectors.citations_due_for`; decisions are `services.citation_decide`,
`services.change_confirm` and `services.change_repair`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .models import Article, ArticleChange, ChangeKind, ReviewDecision
from .selectors import citation_due_for, is_law_reviewer, review_queue, text_diff
from .services import change_confirm, change_repair, citation_decide


def _require_reviewer(request) -> None:
    if not is_law_reviewer(request.user):
        raise PermissionDenied


@never_cache
@login_required
def review_queue_view(request):
    """Trainers and the city administrator: every citation due, per law version."""
    _require_reviewer(request)
    today = timezone.localdate()
    groups = review_queue(user=request.user, on=today)
    return render(
        request,
        "pages/laws/review_queue.html",
        {"groups": groups, "today": today, "decisions": ReviewDecision.choices},
    )


@require_POST
@login_required
def citation_review_view(request, pk: int):
    _require_reviewer(request)
    item = citation_due_for(user=request.user, pk=pk, on=timezone.localdate())
    if item is None:
        raise Http404
    decision = request.POST.get("decision", "")
    if decision not in ReviewDecision.values:
        messages.error(request, _("Choose keep, update or retire."))
        return redirect("laws:review_queue")
    citation_decide(
        citation=item.citation,
        actor=request.user,
        decision=decision,
        note=request.POST.get("note", "")[:2000],
    )
    messages.success(
        request,
        _("Recorded: %(object)s, %(decision)s.")
        % {"object": item.obj, "decision": ReviewDecision(decision).label},
    )
    return redirect("laws:review_queue")


def _change(pk: int) -> ArticleChange:
    return get_object_or_404(
        ArticleChange.objects.select_related(
            "new_version__law", "old_article__version", "new_article", "confirmed_by"
        ),
        pk=pk,
    )


def _kinds_allowed(change: ArticleChange) -> list[tuple[str, str]]:
    if change.old_article_id and change.new_article_id:
        kinds = [ChangeKind.UNCHANGED, ChangeKind.AMENDED, ChangeKind.RENUMBERED]
        kinds.append(ChangeKind.REPLACED)
    elif change.old_article_id:
        kinds = [ChangeKind.REPEALED]
    else:
        kinds = [ChangeKind.NEW]
    return [(kind.value, kind.label) for kind in kinds]


@never_cache
@login_required
def change_view(request, pk: int):
    """What became of one article: both texts side by side, the changes marked. Anyone
    signed in may read it (officers follow it from a notice); reviewers correct it."""
    change = _change(pk)
    old_text = change.old_article.text if change.old_article_id else ""
    new_text = change.new_article.text if change.new_article_id else ""
    reviewer = is_law_reviewer(request.user)
    return render(
        request,
        "pages/laws/change.html",
        {
            "change": change,
            "diff": text_diff(old_text, new_text),
            "reviewer": reviewer,
            "kinds": _kinds_allowed(change) if reviewer else [],
            "decisions": (
                list(change.decisions.select_related("actor", "paired_before", "paired_after"))
                if reviewer
                else []
            ),
            "partners": (
                list(change.new_version.articles.values("pk", "label"))
                if reviewer and change.old_article_id
                else []
            ),
        },
    )


@require_POST
@login_required
def change_confirm_view(request, pk: int):
    _require_reviewer(request)
    change = _change(pk)
    try:
        change_confirm(change=change, actor=request.user, kind=request.POST.get("kind", ""))
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The classification is recorded."))
    return redirect("laws:change", pk=change.pk)


@require_POST
@login_required
def change_pair_view(request, pk: int):
    """A reviewer matches the old article with another article of the new version, or with
    none (repealed)."""
    _require_reviewer(request)
    change = _change(pk)
    chosen = request.POST.get("article", "")
    new_article = None
    if chosen:
        new_article = Article.objects.filter(
            pk=int(chosen) if chosen.isdigit() else 0, version_id=change.new_version_id
        ).first()
        if new_article is None:
            messages.error(request, _("Choose an article of the version this change belongs to."))
            return redirect("laws:change", pk=change.pk)
    try:
        change_repair(change=change, actor=request.user, new_article=new_article)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The matching is recorded; the kind of change follows from the texts.")
        )
    return redirect("laws:change", pk=change.pk)
