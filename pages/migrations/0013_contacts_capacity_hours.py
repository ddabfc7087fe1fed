"""A standard names several responsible departments and its contact persons; a team's
capacity and opening hours are data. The one department a standard named becomes the first
of its departments, in its pages and in its revisions (so publishing or comparing an old
revision keeps it)."""

import django.core.validators
import django.db.models.deletion
import modelcluster.fields
from django.db import migrations, models


def _standard_revisions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    content_type = ContentType.objects.filter(app_label="pages", model="standardpage").first()
    if content_type is None:  # a new database: no page, no revision
        return Revision.objects.none()
    return Revision.objects.filter(content_type=content_type)


def one_department_to_several(apps, schema_editor):
    StandardPage = apps.get_model("pages", "StandardPage")
    Chosen = StandardPage.responsible_departments.through
    Chosen.objects.bulk_create(
        Chosen(standardpage_id=standard, departmentpage_id=department)
        for standard, department in StandardPage.objects.exclude(
            responsible_department=None
        ).values_list("pk", "responsible_department")
    )
    for revision in _standard_revisions(apps).iterator():
        content = revision.content
        if "responsible_department" not in content or "responsible_departments" in content:
            continue
        department = content.pop("responsible_department")
        content["responsible_departments"] = [] if department is None else [department]
        revision.save(update_fields=["content"])


def several_departments_to_one(apps, schema_editor):
    """Back to one department: the first by title (the others are lost)."""
    StandardPage = apps.get_model("pages", "StandardPage")
    DepartmentPage = apps.get_model("pages", "DepartmentPage")
    Chosen = StandardPage.responsible_departments.through
    for standard in StandardPage.objects.all():
        first = (
            Chosen.objects.filter(standardpage=standard)
            .order_by("departmentpage__title")
            .values_list("departmentpage", flat=True)
            .first()
        )
        if first is not None:
            StandardPage.objects.filter(pk=standard.pk).update(responsible_department=first)
    for revision in _standard_revisions(apps).iterator():
        content = revision.content
        if "responsible_departments" not in content:
            continue
        departments = DepartmentPage.objects.filter(pk__in=content.pop("responsible_departments"))
        content["responsible_department"] = (
            departments.order_by("title").values_list("pk", flat=True).first()
        )
        revision.save(update_fields=["content"])


class Migration(migrations.Migration):

    dependencies = [
        ('pages', '0012_redirect_reasons_and_destinations'),
        ('wagtailcore', '0098_apitoken'),
    ]

    operations = [
        migrations.AddField(
            model_name='staffmember',
            name='is_public',
            field=models.BooleanField(default=False, help_text="Shows the name, job title, work phone and e-mail on the team's public page and on the quality standards that name this person as a contact. The mobile is never shown publicly. Staff are private unless this is ticked.", verbose_name='shown publicly'),
        ),
        migrations.AddField(
            model_name='standardpage',
            name='responsible_departments',
            field=modelcluster.fields.ParentalManyToManyField(blank=True, help_text='One or more: a cross-departmental standard names each department.', related_name='+', to='pages.departmentpage', verbose_name='responsible departments'),
        ),
        migrations.RunPython(one_department_to_several, several_departments_to_one),
        migrations.RemoveField(
            model_name='standardpage',
            name='responsible_department',
        ),
        migrations.AddField(
            model_name='teampage',
            name='capacity_max',
            field=models.PositiveSmallIntegerField(blank=True, help_text='For a range, the highest. Enter the same number in both for one number.', null=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name='capacity up to (citizens)'),
        ),
        migrations.AddField(
            model_name='teampage',
            name='capacity_min',
            field=models.PositiveSmallIntegerField(blank=True, help_text='The number of citizens the team supports at a time; for a range, the lowest.', null=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name='capacity from (citizens)'),
        ),
        migrations.AlterField(
            model_name='teampage',
            name='opening_hours',
            field=models.TextField(blank=True, help_text='Shown below the opening hours, for example: Evenings and weekends only by appointment. Closed on public holidays.', verbose_name='note on opening hours'),
        ),
        migrations.CreateModel(
            name='TeamOpeningHours',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sort_order', models.IntegerField(blank=True, editable=False, null=True)),
                ('first_day', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], verbose_name='from weekday')),
                ('last_day', models.PositiveSmallIntegerField(blank=True, choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], help_text='Leave empty for one day.', null=True, verbose_name='to weekday')),
                ('opens', models.TimeField(verbose_name='opens')),
                ('closes', models.TimeField(verbose_name='closes')),
                ('team', modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name='hours', to='pages.teampage')),
            ],
            options={
                'verbose_name': 'opening hours',
                'verbose_name_plural': 'opening hours',
                'ordering': ['sort_order'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='StandardContactPerson',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sort_order', models.IntegerField(blank=True, editable=False, null=True)),
                ('person', models.ForeignKey(help_text='From the staff directory.', on_delete=django.db.models.deletion.CASCADE, related_name='+', to='pages.staffmember', verbose_name='person')),
                ('standard', modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name='contact_persons', to='pages.standardpage')),
            ],
            options={
                'verbose_name': 'contact person',
                'verbose_name_plural': 'contact persons',
                'ordering': ['sort_order'],
                'abstract': False,
                'constraints': [models.UniqueConstraint(fields=('standard', 'person'), name='unique_contact_person_per_standard')],
            },
        ),
    ]
