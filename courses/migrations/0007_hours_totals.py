"""Yearly hours totals beside the ledger, filled from the entries already there."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Max, Sum
from django.db.models.functions import ExtractYear


def totals_from_ledger(apps, schema_editor):
    """The ledger so far, summed per officer, year and category (later entries add to it)."""
    record = apps.get_model("courses", "TrainingRecord")
    total = apps.get_model("courses", "HoursTotal")
    connection = schema_editor.connection
    summed = (
        record.objects.using(connection.alias)
        .order_by()
        .annotate(year=ExtractYear("completed_on"))
        .values_list("officer_id", "year", "category")
        .annotate(total=Sum("hours"), latest=Max("completed_on"))
    )
    select_sql, params = summed.query.sql_with_params()
    table = connection.ops.quote_name(total._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (officer_id, year, category, hours, latest_on) "
            f"SELECT s.officer_id, s.year, s.category, s.total, s.latest FROM ({select_sql}) s",
            params,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0006_cases_move_to_cases_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HoursTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('category', models.CharField(choices=[('public_law', 'Public law knowledge (公共法律知识)'), ('professional', 'Professional knowledge (业务知识)'), ('skills', 'Enforcement skills (执法技能)')], max_length=20, verbose_name='category')),
                ('hours', models.DecimalField(decimal_places=1, max_digits=8, verbose_name='hours')),
                ('latest_on', models.DateField(verbose_name='latest completion')),
                ('officer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='hours_totals', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'hours total',
                'verbose_name_plural': 'hours totals',
                'indexes': [models.Index(fields=['year', 'officer'], name='hours_total_year_officer')],
                'constraints': [models.UniqueConstraint(fields=('officer', 'year', 'category'), name='one_hours_total_per_year_category')],
            },
        ),
        migrations.RunPython(totals_from_ledger, migrations.RunPython.noop),
    ]
