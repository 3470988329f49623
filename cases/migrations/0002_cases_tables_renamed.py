"""The case library's tables take the `cases` app's names (`cases_case…`), their many-to-many
tables with them."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='caseassignment',
            table=None,
        ),
        migrations.AlterModelTable(
            name='casecompletion',
            table=None,
        ),
        migrations.AlterModelTable(
            name='caselibrarypage',
            table=None,
        ),
        migrations.AlterModelTable(
            name='casepage',
            table=None,
        ),
        migrations.AlterModelTable(
            name='casereading',
            table=None,
        ),
        migrations.AlterModelTable(
            name='casesearchterm',
            table=None,
        ),
    ]
