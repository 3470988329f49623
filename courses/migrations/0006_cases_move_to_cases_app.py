"""The case library moves to its own app, `cases`.

Only Django's idea of the models moves here: the tables stay where they are, and the
`cases` app takes them over in its first migration (which also moves the content types,
so pages, revisions, workflow states and log entries keep pointing at the right model).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0005_county_approval_task'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='casecompletion',
                    name='officer',
                ),
                migrations.RemoveField(
                    model_name='casecompletion',
                    name='page',
                ),
                migrations.RemoveField(
                    model_name='casecompletion',
                    name='training_record',
                ),
                migrations.RemoveField(
                    model_name='caselibrarypage',
                    name='page_ptr',
                ),
                migrations.RemoveField(
                    model_name='casepage',
                    name='county',
                ),
                migrations.RemoveField(
                    model_name='casepage',
                    name='field',
                ),
                migrations.RemoveField(
                    model_name='casepage',
                    name='page_ptr',
                ),
                migrations.RemoveField(
                    model_name='casepage',
                    name='powers',
                ),
                migrations.RemoveField(
                    model_name='casepage',
                    name='quiz',
                ),
                migrations.RemoveField(
                    model_name='casepage',
                    name='related_quizzes',
                ),
                migrations.RemoveField(
                    model_name='casepage',
                    name='township',
                ),
                migrations.RemoveField(
                    model_name='casesearchterm',
                    name='page',
                ),
                migrations.RemoveField(
                    model_name='casereading',
                    name='page',
                ),
                migrations.RemoveField(
                    model_name='casereading',
                    name='officer',
                ),
                migrations.DeleteModel(
                    name='CaseAssignment',
                ),
                migrations.DeleteModel(
                    name='CaseCompletion',
                ),
                migrations.DeleteModel(
                    name='CaseLibraryPage',
                ),
                migrations.DeleteModel(
                    name='CaseSearchTerm',
                ),
                migrations.DeleteModel(
                    name='CasePage',
                ),
                migrations.DeleteModel(
                    name='CaseReading',
                ),
            ],
            database_operations=[],
        ),
    ]
