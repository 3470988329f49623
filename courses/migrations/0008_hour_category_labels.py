"""Hour categories are labelled in plain English (their Chinese is in the catalogue)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0007_hours_totals'),
    ]

    operations = [
        migrations.AlterField(
            model_name='fieldpracticesession',
            name='category',
            field=models.CharField(choices=[('public_law', 'Public law knowledge'), ('professional', 'Professional knowledge'), ('skills', 'Enforcement skills')], default='skills', max_length=20, verbose_name='hour category'),
        ),
        migrations.AlterField(
            model_name='hourstotal',
            name='category',
            field=models.CharField(choices=[('public_law', 'Public law knowledge'), ('professional', 'Professional knowledge'), ('skills', 'Enforcement skills')], max_length=20, verbose_name='category'),
        ),
        migrations.AlterField(
            model_name='lecture',
            name='category',
            field=models.CharField(choices=[('public_law', 'Public law knowledge'), ('professional', 'Professional knowledge'), ('skills', 'Enforcement skills')], default='public_law', max_length=20, verbose_name='hour category'),
        ),
        migrations.AlterField(
            model_name='placement',
            name='category',
            field=models.CharField(choices=[('public_law', 'Public law knowledge'), ('professional', 'Professional knowledge'), ('skills', 'Enforcement skills')], default='skills', max_length=20, verbose_name='hour category'),
        ),
        migrations.AlterField(
            model_name='trainingmodulepage',
            name='category',
            field=models.CharField(choices=[('public_law', 'Public law knowledge'), ('professional', 'Professional knowledge'), ('skills', 'Enforcement skills')], default='public_law', max_length=20, verbose_name='hour category'),
        ),
        migrations.AlterField(
            model_name='trainingrecord',
            name='category',
            field=models.CharField(choices=[('public_law', 'Public law knowledge'), ('professional', 'Professional knowledge'), ('skills', 'Enforcement skills')], max_length=20, verbose_name='category'),
        ),
    ]
