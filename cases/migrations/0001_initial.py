"""The case library's models, taken over from `courses` with their tables.

The tables keep their names here (`courses_case…`), so nothing in the database moves yet;
the next migration renames them. The content types are moved to this app, so every page,
revision, workflow state, log entry and permission keeps pointing at the right model.
"""

import django.db.models.deletion
import django.utils.timezone
import modelcluster.fields
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


CASE_MODELS = [
    "caselibrarypage",
    "casepage",
    "casecompletion",
    "caseassignment",
    "casereading",
    "casesearchterm",
]


def content_types_move(from_label: str, to_label: str):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in CASE_MODELS:
            # A content type the target app may already have (created by an earlier
            # `migrate` run) owns nothing yet; the moved one, with its ids, wins.
            content_type.objects.using(db).filter(app_label=to_label, model=model).delete()
            content_type.objects.using(db).filter(app_label=from_label, model=model).update(
                app_label=to_label
            )

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('courses', '0006_cases_move_to_cases_app'),
        ('people', '0003_password_resets'),
        ('powers', '0001_initial'),
        ('quizzes', '0008_question_moodle_fields'),
        ('wagtailcore', '0098_apitoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CaseLibraryPage',
                    fields=[
                        ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                        ('intro', wagtail.fields.RichTextField(blank=True, verbose_name='introduction')),
                    ],
                    options={
                        'db_table': 'courses_caselibrarypage',
                        'verbose_name': 'case library (以案说法)',
                    },
                    bases=('wagtailcore.page',),
                ),
                migrations.CreateModel(
                    name='CasePage',
                    fields=[
                        ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                        ('case_number', models.CharField(blank=True, help_text='Anonymised, e.g. 濮县城关综执罚〔2024〕X号.', max_length=100, verbose_name='case number (案号)')),
                        ('decided_on', models.DateField(db_index=True, verbose_name='decision date')),
                        ('outcome', models.CharField(choices=[('penalty', 'Penalty imposed (作出处罚)'), ('lenient', 'Lighter or no penalty (从轻、减轻或不予处罚)'), ('upheld', 'Upheld on review or in court (复议、诉讼维持)'), ('overturned', 'Overturned or changed on review or in court (复议、诉讼撤销或变更)'), ('closed', 'Closed without a decision (撤销立案、终止调查)')], default='penalty', max_length=20, verbose_name='outcome')),
                        ('facts', wagtail.fields.RichTextField(verbose_name='facts (基本案情)')),
                        ('legal_questions', wagtail.fields.RichTextField(blank=True, verbose_name='legal questions (争议焦点)')),
                        ('legal_basis', wagtail.fields.StreamField([('provision', 3)], blank=True, block_lookup={0: ('wagtail.blocks.CharBlock', (), {'label': 'Law or regulation', 'max_length': 200}), 1: ('wagtail.blocks.CharBlock', (), {'label': 'Article', 'max_length': 100, 'required': False}), 2: ('wagtail.blocks.TextBlock', (), {'label': 'Quoted text', 'required': False}), 3: ('wagtail.blocks.StructBlock', [[('law', 0), ('article', 1), ('quote', 2)]], {})}, verbose_name='legal basis')),
                        ('procedure', wagtail.fields.StreamField([('filing', 2), ('investigation', 3), ('notice', 4), ('hearing', 5), ('decision', 6), ('service', 7), ('execution', 8)], blank=True, block_lookup={0: ('wagtail.blocks.DateBlock', (), {'label': 'Date', 'required': False}), 1: ('wagtail.blocks.TextBlock', (), {'label': 'Note', 'required': False}), 2: ('wagtail.blocks.StructBlock', [[('date', 0), ('note', 1)]], {'label': 'Filing (立案)'}), 3: ('wagtail.blocks.StructBlock', [[('date', 0), ('note', 1)]], {'label': 'Investigation and evidence (调查取证)'}), 4: ('wagtail.blocks.StructBlock', [[('date', 0), ('note', 1)]], {'label': 'Notice of rights (告知)'}), 5: ('wagtail.blocks.StructBlock', [[('date', 0), ('note', 1)]], {'label': 'Hearing (听证)'}), 6: ('wagtail.blocks.StructBlock', [[('date', 0), ('note', 1)]], {'label': 'Decision (决定)'}), 7: ('wagtail.blocks.StructBlock', [[('date', 0), ('note', 1)]], {'label': 'Service (送达)'}), 8: ('wagtail.blocks.StructBlock', [[('date', 0), ('note', 1)]], {'label': 'Execution (执行)'})}, verbose_name='procedure')),
                        ('evidence', wagtail.fields.StreamField([('item', 2)], blank=True, block_lookup={0: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('documentary', 'Documentary evidence (书证)'), ('physical', 'Physical evidence (物证)'), ('audiovisual', 'Audio-visual material (视听资料)'), ('electronic', 'Electronic data (电子数据)'), ('witness', 'Witness testimony (证人证言)'), ('statement', "Party's statement (当事人的陈述)"), ('expert', 'Expert opinion (鉴定意见)'), ('record', 'Inspection or on-site record (勘验笔录、现场笔录)')], 'label': 'Kind'}), 1: ('wagtail.blocks.TextBlock', (), {'label': 'Description'}), 2: ('wagtail.blocks.StructBlock', [[('kind', 0), ('description', 1)]], {})}, verbose_name='evidence')),
                        ('decision', wagtail.fields.RichTextField(blank=True, verbose_name='decision (处理决定)')),
                        ('penalty', models.CharField(blank=True, help_text='In one line, e.g. 罚款人民币2万元，责令退还非法占用的土地.', max_length=300, verbose_name='penalty')),
                        ('review_outcome', wagtail.fields.RichTextField(blank=True, verbose_name='review or litigation outcome (复议、诉讼结果)')),
                        ('lessons', wagtail.fields.StreamField([('point', 0)], blank=True, block_lookup={0: ('wagtail.blocks.TextBlock', (), {'label': 'Lesson'})}, verbose_name='lessons (以案说法)')),
                        ('document_templates', wagtail.fields.StreamField([('template', 2)], blank=True, block_lookup={0: ('wagtail.documents.blocks.DocumentChooserBlock', (), {'label': 'Document'}), 1: ('wagtail.blocks.CharBlock', (), {'label': 'What it is for', 'max_length': 200, 'required': False}), 2: ('wagtail.blocks.StructBlock', [[('document', 0), ('note', 1)]], {})}, verbose_name='document templates (文书范本)')),
                        ('related_modules', wagtail.fields.StreamField([('module', 0)], blank=True, block_lookup={0: ('wagtail.blocks.PageChooserBlock', (), {'label': 'Training module'})}, verbose_name='related training modules')),
                        ('study_hours', models.DecimalField(decimal_places=1, default=0, help_text='Hours credited once for reading the case (and passing its quiz); 0 for none.', max_digits=3, verbose_name='study hours')),
                        ('hours_category', models.CharField(choices=[('public_law', 'Public law knowledge (公共法律知识)'), ('professional', 'Professional knowledge (业务知识)'), ('skills', 'Enforcement skills (执法技能)')], default='professional', max_length=20, verbose_name='hours category')),
                        ('county', models.ForeignKey(blank=True, limit_choices_to={'kind': 'county'}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='people.orgunit', verbose_name='county')),
                        ('field', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='case_pages', to='powers.enforcementfield', verbose_name='enforcement field')),
                        ('powers', modelcluster.fields.ParentalManyToManyField(blank=True, related_name='case_pages', to='powers.power', verbose_name='powers')),
                        ('quiz', models.ForeignKey(blank=True, help_text='A short quiz the officer must pass before the hours are credited.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='quizzes.quiz', verbose_name='study quiz')),
                        ('related_quizzes', modelcluster.fields.ParentalManyToManyField(blank=True, related_name='+', to='quizzes.quiz', verbose_name='related quizzes')),
                        ('township', models.ForeignKey(blank=True, limit_choices_to={'kind__in': ['township', 'subdistrict']}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='people.orgunit', verbose_name='township')),
                    ],
                    options={
                        'db_table': 'courses_casepage',
                        'verbose_name': 'case (案例)',
                        'verbose_name_plural': 'cases',
                    },
                    bases=('wagtailcore.page',),
                ),
                migrations.CreateModel(
                    name='CaseCompletion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('completed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='completed at')),
                        ('officer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_completions', to=settings.AUTH_USER_MODEL, verbose_name='officer')),
                        ('training_record', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='courses.trainingrecord', verbose_name='training record')),
                        ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='completions', to='cases.casepage', verbose_name='case')),
                    ],
                    options={
                        'db_table': 'courses_casecompletion',
                        'verbose_name': 'case completion (案例学习完成)',
                        'verbose_name_plural': 'case completions',
                        'constraints': [models.UniqueConstraint(fields=('officer', 'page'), name='one_completion_per_case')],
                    },
                ),
                migrations.CreateModel(
                    name='CaseAssignment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('assigned_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='assigned at')),
                        ('due_on', models.DateField(blank=True, null=True, verbose_name='due on')),
                        ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='withdrawn at')),
                        ('assigned_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assigned by')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_assignments', to='people.orgunit', verbose_name='unit')),
                        ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='withdrawn by')),
                        ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='cases.casepage', verbose_name='case')),
                    ],
                    options={
                        'db_table': 'courses_caseassignment',
                        'verbose_name': 'case assignment (指定学习案例)',
                        'verbose_name_plural': 'case assignments',
                        'ordering': ['-assigned_at', '-pk'],
                        'indexes': [models.Index(fields=['unit', 'withdrawn_at'], name='cases_casea_unit_id_40ac21_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='CaseReading',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('read_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='read at')),
                        ('officer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_readings', to=settings.AUTH_USER_MODEL, verbose_name='officer')),
                        ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='readings', to='cases.casepage', verbose_name='case')),
                    ],
                    options={
                        'db_table': 'courses_casereading',
                        'verbose_name': 'case reading (案例阅读记录)',
                        'verbose_name_plural': 'case readings',
                        'constraints': [models.UniqueConstraint(fields=('officer', 'page'), name='one_reading_per_case')],
                    },
                ),
                migrations.CreateModel(
                    name='CaseSearchTerm',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('term', models.CharField(max_length=32)),
                        ('weight', models.PositiveIntegerField()),
                        ('page', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='search_terms', to='cases.casepage')),
                    ],
                    options={
                        'db_table': 'courses_casesearchterm',
                        'verbose_name': 'case search term',
                        'indexes': [models.Index(fields=['term', 'page', 'weight'], name='case_search_term_lookup')],
                        'constraints': [models.UniqueConstraint(fields=('page', 'term'), name='case_search_term_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_types_move("courses", "cases"),
            content_types_move("cases", "courses"),
        ),
    ]
