"""A brand across years: 附件1's brand choice (继续培育/新创品牌), its link to the previous year's 附件1 and a
lineage key; 附件2 rows carried forward from a branch's last row.

Existing 附件1 get a lineage each; an org's forms with the same brand name share one (the same brand kept over
years before the choice existed)."""

import django.db.models.deletion
import uuid
from django.db import migrations, models


def backfill_lineage(apps, schema_editor):
    Form1 = apps.get_model("submissions", "Form1")
    keys = {}
    for form in Form1.objects.order_by("campaign__year", "pk").only("pk", "organization_id", "brand_name"):
        name = (form.brand_name or "").strip()
        key = (form.organization_id, name) if name else ("form", form.pk)
        Form1.objects.filter(pk=form.pk).update(lineage=keys.setdefault(key, uuid.uuid4()))


class Migration(migrations.Migration):

    dependencies = [
        ('submissions', '0004_outcome_creator_may_be_gone'),
    ]

    operations = [
        migrations.AddField(
            model_name='form1',
            name='brand_choice',
            field=models.CharField(blank=True, choices=[('continue', '继续培育（上一年度品牌）'), ('new', '新创品牌')], max_length=10, verbose_name='品牌方向'),
        ),
        migrations.AddField(
            model_name='form1',
            name='lineage',
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(backfill_lineage, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='form1',
            name='lineage',
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False, help_text='同一品牌历年的附件1 共用一个标识（继续培育时沿用上一年度的标识）', verbose_name='品牌标识'),
        ),
        migrations.AddField(
            model_name='form1',
            name='previous',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='continued_by', to='submissions.form1', verbose_name='继续培育的上一年度附件1'),
        ),
        migrations.AddField(
            model_name='form2row',
            name='carried_forward',
            field=models.BooleanField(default=False, verbose_name='沿用上一年度（尚未修改）'),
        ),
        migrations.AddField(
            model_name='form2row',
            name='carried_from',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='submissions.form2row', verbose_name='沿用的上一年度信息'),
        ),
    ]
