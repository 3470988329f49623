"""The append-only contract shared by every record of certificate history."""

from django.db import models


class ImmutableRecordError(Exception):
    """Raised on any attempt to change or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecordError("this history is append-only")

    def delete(self):
        raise ImmutableRecordError("this history is append-only")


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed or deleted (a correction is a new row)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecordError(f"{type(self).__name__} records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError(f"{type(self).__name__} records are append-only")
