"""Hour categories are labelled in plain English (their Chinese is in the catalogue)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_cases_tables_renamed'),
    ]

    operations = [
        migrations.AlterField(
            model_name='casepage',
            name='hours_category',
            field=models.CharField(choices=[('public_law', 'Public law knowledge'), ('professional', 'Professional knowledge'), ('skills', 'Enforcement skills')], default='professional', max_length=20, verbose_name='hours category'),
        ),
    ]
