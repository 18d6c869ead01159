"""Imports and exports through the API: background jobs with their progress, their result for
the person who asked only, images carried both ways, clear refusals."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ensemble.core.abilities import Role
from ensemble.docs import changes, content
from ensemble.docs.models import ConversionJob, Document, DocumentAccess, DocumentImage
from ensemble.docs.tests.factories import document, share, signed_in

# Jobs are queued when the request commits: transactions are real here.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("immediate_tasks")]

API = "/api/v1/docs/"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "teal").save(out, "PNG")
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_import_markdown_into_a_new_document_below_another() -> None:
    parent = document(title="Service")
    owner = signed_in(parent.creator)
    text = b"# Compte rendu\n\n- point un\n- point deux\n\n| A | B |\n|---|---|\n| 1 | 2 |\n"
    asked = owner.post(
        f"{API}jobs/", {"file": upload("Compte rendu.md", text), "parent": str(parent.pk)}
    )
    assert asked.status_code == 202, asked.json()
    job = owner.get(f"{API}jobs/{asked.json()['id']}/").json()
    assert (job["state"], job["progress"]) == ("done", 100)
    made = Document.objects.get(pk=job["document"])
    assert made.title == "Compte rendu" and made.parent_id == parent.pk
    kinds = [node["type"] for node in changes.current(made.pk)[0]["content"]]
    assert kinds == ["heading", "bulletList", "table"]
    assert not ConversionJob.objects.get(pk=job["id"]).file  # the file sent is not kept


def test_import_html_with_an_image_stores_the_image_encrypted() -> None:
    owner = document().creator
    inline = f"data:image/png;base64,{base64.b64encode(png()).decode()}"
    html = f'<h1>Plan</h1><p><img src="{inline}" alt="carte"></p>'
    asked = signed_in(owner).post(f"{API}jobs/", {"file": upload("plan.html", html.encode())})
    job = signed_in(owner).get(f"{API}jobs/{asked.json()['id']}/").json()
    made = Document.objects.get(pk=job["document"])
    image = DocumentImage.objects.get(document=made)
    src = changes.current(made.pk)[0]["content"][1]["attrs"]["src"]
    assert src == f"/docs/images/{image.pk}/"
    shown = signed_in(owner).get(src)
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == png()
    assert signed_in(document().creator).get(src).status_code == 404  # not their document


def test_export_to_docx_keeps_the_table_and_the_image_and_only_its_asker_gets_it() -> None:
    doc = document(title="Bilan annuel")
    image = DocumentImage.objects.create(
        document=doc,
        file=upload("i.png", png()),
        content_type="image/png",
        size=1,
        uploaded_by=doc.creator,
    )
    changes.replace(
        doc,
        doc.creator,
        content.from_html(
            f"<h1>Bilan</h1><table><tr><th>Poste</th><th>Montant</th></tr><tr><td>A</td><td>12</td></tr></table>"
            f'<p><img src="/docs/images/{image.pk}/" alt="graphique"></p>'
        ),
    )
    reader = share(doc, Role.READER)
    asked = signed_in(reader).post(
        f"{API}documents/{doc.pk}/exports/", {"format": "docx"}, content_type="application/json"
    )
    assert asked.status_code == 202
    job = signed_in(reader).get(f"{API}jobs/{asked.json()['id']}/").json()
    assert job["state"] == "done", job
    got = signed_in(reader).get(f"{API}jobs/{job['id']}/download/")
    assert got.status_code == 200
    assert 'filename="Bilan_annuel.docx"' in got["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(got.streaming_content))) as docx:
        body = docx.read("word/document.xml").decode()
        media = [name for name in docx.namelist() if name.startswith("word/media/")]
    assert "<w:tbl>" in body and "Montant" in body and "Bilan" in body
    assert len(media) == 1
    assert signed_in(doc.creator).get(f"{API}jobs/{job['id']}/").status_code == 404
    # Once the reader lost access, the export made for them is theirs no more either.
    DocumentAccess.objects.filter(document=doc, user=reader).delete()
    assert signed_in(reader).get(f"{API}jobs/{job['id']}/download/").status_code == 404


def test_export_to_pdf_through_libreoffice() -> None:
    doc = document(title="Note")
    changes.replace(doc, doc.creator, content.from_markdown("# Note\n\nTexte de la note.\n"))
    owner = signed_in(doc.creator)
    job = owner.post(
        f"{API}documents/{doc.pk}/exports/", {"format": "pdf"}, content_type="application/json"
    ).json()
    got = owner.get(f"{API}jobs/{job['id']}/download/")
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")


def test_refusals_are_clear() -> None:
    doc = document()
    owner = signed_in(doc.creator)
    assert owner.post(f"{API}jobs/", {"file": upload("virus.exe", b"MZ")}).status_code == 400
    bad = owner.post(
        f"{API}documents/{doc.pk}/exports/", {"format": "exe"}, content_type="application/json"
    )
    assert bad.status_code == 400
    stranger = document().creator
    assert (
        signed_in(stranger)
        .post(
            f"{API}documents/{doc.pk}/exports/", {"format": "md"}, content_type="application/json"
        )
        .status_code
        == 404
    )
    reader = share(doc, Role.READER)
    below = signed_in(reader).post(
        f"{API}jobs/", {"file": upload("a.md", b"x"), "parent": str(doc.pk)}
    )
    assert below.status_code == 403  # a reader adds no page
    broken = owner.post(f"{API}jobs/", {"file": upload("broken.docx", b"not a zip")}).json()
    job = owner.get(f"{API}jobs/{broken['id']}/").json()
    assert job["state"] == "failed" and job["error"]
    assert owner.get(f"{API}jobs/{broken['id']}/download/").status_code == 404


def test_old_jobs_go_with_their_files_and_purged_pictures_with_their_document() -> None:
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from ensemble.docs import actions, tasks

    doc = document(title="Note")
    owner = signed_in(doc.creator)
    job = owner.post(
        f"{API}documents/{doc.pk}/exports/", {"format": "md"}, content_type="application/json"
    ).json()
    stored = ConversionJob.objects.get(pk=job["id"])
    storage, name = stored.file.storage, stored.file.name
    assert storage.exists(name)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert tasks.forget_old_jobs.call() == {"deleted": 1}
    assert not storage.exists(name)
    image = DocumentImage.objects.create(
        document=doc, file=upload("p.png", png()), content_type="image/png", size=1
    )
    picture_name = image.file.name
    actions.trash(doc.creator, doc)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        tasks.purge_trash.call()
    assert not image.file.storage.exists(picture_name)


def test_the_imports_and_exports_page_lists_mine_only_with_what_i_may_still_open() -> None:
    from django.test import Client

    doc = document(title="Rapport d'activité")
    reader = share(doc, Role.READER)
    asked = signed_in(reader).post(
        f"{API}documents/{doc.pk}/exports/", {"format": "md"}, content_type="application/json"
    )
    job = ConversionJob.objects.get(pk=asked.json()["id"])
    assert job.state == "done"
    failed = ConversionJob.objects.create(
        kind="import", format="docx", state="failed", requested_by=reader, name="cassé.docx",
        error="Ce fichier n'est pas un document Word lisible.",
    )  # fmt: skip
    page = signed_in(reader).get("/docs/jobs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-job="{job.pk}" data-state="done"' in html
    assert f'href="/docs/{doc.pk}/"' in html
    assert f"/api/v1/docs/jobs/{job.pk}/download/" in html
    assert f'data-job="{failed.pk}" data-state="failed"' in html and "pas un document Word" in html
    assert str(job.pk) not in signed_in(doc.creator).get("/docs/jobs/").content.decode()
    assert Client().get("/docs/jobs/").status_code == 302  # to the sign-in page
    DocumentAccess.objects.filter(document=doc, user=reader).delete()
    html = signed_in(reader).get("/docs/jobs/").content.decode()
    assert f'data-job="{job.pk}"' in html  # still listed, but nothing to open or download
    row = html.split(f'data-job="{job.pk}"')[1].split("</tr>")[0]
    assert f'href="/docs/{doc.pk}/"' not in html and "Rapport" not in row
    assert "A document you can no longer open" in row
    assert f"/api/v1/docs/jobs/{job.pk}/download/" not in html
