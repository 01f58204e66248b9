from celery import shared_task

from .models import Form1, Form2


@shared_task(ignore_result=True)
def prerender_pdf(model_name, pk):
    """Render and cache a form's PDF after a state change, so downloads are instant. Idempotent."""
    from . import pdf

    model = {"form1": Form1, "form2": Form2}[model_name]
    obj = model.objects.select_related("organization", "campaign").filter(pk=pk).first()
    if obj is not None:
        pdf.form_pdf(model_name, obj)
