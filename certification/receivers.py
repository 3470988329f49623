"""Signal receivers of certification: exam results from the quiz engine, and the policy audit."""

from django.db.models.signals import post_delete, post_save, pre_save

from courses.models import TrainingRecord

from .models import Credential, CredentialEvent, CredentialPolicy, StatusSnapshot


def record_graded_attempt(sender, attempt, **kwargs) -> None:
    """A graded qualification-exam attempt becomes an exam result (idempotent per attempt)."""
    from .services.exams import exam_result_from_attempt

    exam_result_from_attempt(attempt=attempt)


def snapshot_policy(sender, instance: CredentialPolicy, **kwargs) -> None:
    from .services.policy import policy_snapshot

    previous = CredentialPolicy.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_before = policy_snapshot(previous or CredentialPolicy())


def audit_policy(sender, instance: CredentialPolicy, created: bool, **kwargs) -> None:
    """Every saved change to the policy is appended to `PolicyChange`, with the acting user."""
    from .services.policy import policy_actor, policy_change_record, policy_snapshot

    before = getattr(instance, "_audit_before", None)
    if before is None:
        return
    policy_change_record(before=before, after=policy_snapshot(instance), actor=policy_actor.get())
    instance._audit_before = None
    policy_actor.set(None)  # the editor is consumed by this save; never by a later one


def forget_officer_status(sender, instance, **kwargs) -> None:
    """What the status rules read changed: the officer's stored status no longer holds.

    Runs inside the writer's transaction, so the removal commits with the change.
    """
    if isinstance(instance, CredentialEvent):
        officers = Credential.objects.filter(pk=instance.credential_id).values("officer_id")
        StatusSnapshot.objects.filter(officer_id__in=officers).delete()
    else:
        StatusSnapshot.objects.filter(officer_id=instance.officer_id).delete()


def forget_all_statuses(sender, instance, **kwargs) -> None:
    """A new policy changes everyone's status: nothing stored holds any more."""
    StatusSnapshot.objects.all().delete()


def connect() -> None:
    from quizzes.signals import attempt_graded

    attempt_graded.connect(record_graded_attempt, dispatch_uid="certification_record_attempt")
    pre_save.connect(snapshot_policy, sender=CredentialPolicy, dispatch_uid="cert_policy_pre")
    post_save.connect(audit_policy, sender=CredentialPolicy, dispatch_uid="cert_policy_post")
    post_save.connect(forget_all_statuses, sender=CredentialPolicy, dispatch_uid="cert_snap_policy")
    for model in (TrainingRecord, Credential, CredentialEvent):
        for signal in (post_save, post_delete):
            signal.connect(
                forget_officer_status, sender=model, dispatch_uid=f"cert_snap_{model.__name__}"
            )
