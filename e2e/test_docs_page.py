"""The Docs editor page in real browsers (issue 15): two people co-editing live with each
other's named caret, edits made offline merged when the network returns, words typed offline in
a tab since closed sent on the next visit, a server killed mid-edit losing nothing it
acknowledged, a reader who cannot change anything, and exports with a table and a picture."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import pycrdt
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, OwnSuite, Suite, sign_in
from e2e.docs_helpers import (
    CARET_LABEL,
    OFFLINE,
    READ_ONLY,
    SAVED,
    SHOTS,
    api,
    content,
    editor,
    goto_document,
    kill_server,
    make_document,
    open_document,
    shot,
    status,
    text_of,
    type_at_end,
    wait_for_content,
    wait_for_text,
)


def test_two_people_co_edit_and_see_each_others_named_caret(suite: Suite, new_page: Any) -> None:
    suite.create_user("claire@docs.lyon.fr", "Claire Dubois")
    suite.create_user("hugo@docs.lyon.fr", "Hugo Lambert")
    doc = make_document(
        suite, "claire@docs.lyon.fr", "Compte rendu", {"hugo@docs.lyon.fr": "editor"}
    )
    claire, hugo = new_page(), new_page()
    open_document(claire, suite.url, "claire@docs.lyon.fr", doc)
    open_document(hugo, suite.url, "hugo@docs.lyon.fr", doc)

    type_at_end(claire, "Ordre du jour de Claire.")
    wait_for_text(hugo, "Ordre du jour de Claire.")
    type_at_end(hugo, " Remarque de Hugo.")
    wait_for_text(claire, "Remarque de Hugo.")
    wait_for_text(hugo, "Ordre du jour de Claire. Remarque de Hugo.")
    wait_for_text(claire, "Ordre du jour de Claire. Remarque de Hugo.")

    # Each sees the other's caret, labelled with the other's name (never their own).
    expect(claire.locator(CARET_LABEL)).to_have_text(["Hugo Lambert"])
    expect(hugo.locator(CARET_LABEL)).to_have_text(["Claire Dubois"])
    expect(status(claire)).to_have_text(SAVED)
    expect(status(hugo)).to_have_text(SAVED)
    shot(claire, "coedit-claire")
    shot(hugo, "coedit-hugo")
    stored = content(claire, suite.url, doc)["content"]
    assert "Ordre du jour de Claire. Remarque de Hugo." in stored


def test_edits_made_offline_merge_when_the_network_returns(suite: Suite, new_page: Any) -> None:
    suite.create_user("ines@docs.lyon.fr", "Inès Moreau")
    suite.create_user("jules@docs.lyon.fr", "Jules Girard")
    doc = make_document(suite, "ines@docs.lyon.fr", "Budget", {"jules@docs.lyon.fr": "editor"})
    ines, jules = new_page(), new_page()
    open_document(ines, suite.url, "ines@docs.lyon.fr", doc)
    open_document(jules, suite.url, "jules@docs.lyon.fr", doc)
    type_at_end(ines, "Base commune.")
    wait_for_text(jules, "Base commune.", exact=True)

    jules.context.set_offline(True)
    expect(status(jules)).to_have_text(OFFLINE)
    type_at_end(ines, " Ajout en ligne d'Inès.")
    type_at_end(jules, " Ajout hors ligne de Jules.")
    expect(status(ines)).to_have_text(SAVED)
    jules.wait_for_timeout(1500)  # Inès's words would have reached Jules by now, were he online
    assert "Inès" not in text_of(jules)
    assert "Jules" not in text_of(ines)
    expect(status(jules)).to_have_text(OFFLINE)
    # Gone from each other's page: neither shows a caret of someone it cannot hear.
    expect(ines.locator(CARET_LABEL)).to_have_count(0)
    expect(jules.locator(CARET_LABEL)).to_have_count(0)
    shot(jules, "offline")

    jules.context.set_offline(False)
    expect(status(jules)).to_have_text(SAVED, timeout=30000)
    for page in (ines, jules):
        wait_for_text(page, "Ajout en ligne d'Inès.")
        wait_for_text(page, "Ajout hors ligne de Jules.")
        expect(status(page)).to_have_text(SAVED)
    assert text_of(ines) == text_of(jules)
    type_at_end(jules, " Fin.")  # his caret is shown again once he moves it
    wait_for_text(ines, "Fin.")
    expect(ines.locator(CARET_LABEL)).to_have_text(["Jules Girard"])
    expect(jules.locator(CARET_LABEL)).to_have_text(["Inès Moreau"])
    stored = wait_for_content(ines, suite.url, doc, ["Inès.", "Jules."])
    assert "Ajout en ligne d'Inès." in stored and "Ajout hors ligne de Jules." in stored
    shot(jules, "merged")


def test_words_typed_offline_in_a_closed_tab_reach_the_server_later(
    suite: Suite, new_page: Any
) -> None:
    suite.create_user("karim@docs.lyon.fr", "Karim Benali")
    suite.create_user("lucie@docs.lyon.fr", "Lucie Fontaine")
    doc = make_document(
        suite, "karim@docs.lyon.fr", "Notes de terrain", {"lucie@docs.lyon.fr": "editor"}
    )
    karim, lucie = new_page(), new_page()
    open_document(karim, suite.url, "karim@docs.lyon.fr", doc)
    open_document(lucie, suite.url, "lucie@docs.lyon.fr", doc)
    type_at_end(karim, "Visite du chantier.")
    wait_for_text(lucie, "Visite du chantier.", exact=True)

    context = lucie.context
    context.set_offline(True)
    expect(status(lucie)).to_have_text(OFFLINE)
    type_at_end(lucie, " Mesures prises hors ligne.")
    lucie.wait_for_timeout(1000)  # a person does not close the tab within the same second
    lucie.close()
    time.sleep(2)
    assert "Mesures" not in text_of(karim)
    assert "Mesures" not in content(karim, suite.url, doc)["content"]

    # Later, online again: a new tab of the same browser (same IndexedDB) opens the document.
    context.set_offline(False)
    again = context.new_page()
    goto_document(again, suite.url, doc)
    wait_for_text(again, "Visite du chantier. Mesures prises hors ligne.", exact=True)
    wait_for_text(karim, "Visite du chantier. Mesures prises hors ligne.", exact=True)
    stored = wait_for_content(karim, suite.url, doc, ["Mesures prises hors ligne."])
    assert "Visite du chantier. Mesures prises hors ligne." in stored
    again.close()


STORED = """
from ensemble.docs import changes, content
print(content.to_markdown(changes.current({document!r})[0]))
"""


def stored_text(suite: Suite, document: str) -> str:
    """The document as the database holds it, read without the web server."""
    return suite.shell(STORED.format(document=document))


def test_a_server_killed_mid_edit_loses_nothing_it_acknowledged(
    own_suite: OwnSuite, new_page: Any
) -> None:
    suite = own_suite
    suite.create_user("marc@docs.lyon.fr", "Marc Leroy")
    doc = make_document(suite, "marc@docs.lyon.fr", "Rapport", {})
    marc = new_page()
    open_document(marc, suite.url, "marc@docs.lyon.fr", doc)
    type_at_end(marc, "Avant la panne.")
    expect(status(marc)).to_have_text(SAVED)

    kill_server(suite.server)
    # What was acknowledged is in the database, read with the server down (the page's resending
    # after the restart cannot hide a loss).
    assert "Avant la panne." in stored_text(suite, doc)
    expect(status(marc)).to_have_text(OFFLINE)
    type_at_end(marc, " Pendant la panne.")
    expect(status(marc)).to_have_text(OFFLINE)
    shot(marc, "server-down")

    suite.start()  # same port, same data
    # The page reconnects by itself (its retry delay doubles, up to 30 s).
    expect(status(marc)).to_have_text(SAVED, timeout=45000)
    stored = wait_for_content(marc, suite.url, doc, ["Avant la panne.", "Pendant la panne."])
    assert "Avant la panne. Pendant la panne." in stored
    # What the server holds is what a fresh visit shows.
    other = marc.context.new_page()
    other.goto(f"{suite.url}/docs/{doc}/")
    wait_for_text(other, "Avant la panne. Pendant la panne.", exact=True)
    other.close()


# Open a socket of one's own from the page (its session cookie), send one frame, and return every
# frame the server sent in the next 1.5 s.
PUSH_UPDATE = """async ([path, frame]) => {
  const socket = new WebSocket(`ws://${location.host}${path}`);
  socket.binaryType = "arraybuffer";
  const frames = [];
  socket.onmessage = (event) => frames.push([...new Uint8Array(event.data)]);
  await new Promise((opened, failed) => { socket.onopen = opened; socket.onerror = failed; });
  socket.send(new Uint8Array(frame));
  await new Promise((later) => setTimeout(later, 1500));
  socket.close();
  return frames;
}"""


def intrusion() -> bytes:
    """A Yjs update adding a paragraph to the document's fragment."""
    doc = pycrdt.Doc()
    fragment = doc.get("default", type=pycrdt.XmlFragment)
    paragraph = fragment.children.append(pycrdt.XmlElement("paragraph"))
    paragraph.children.append(pycrdt.XmlText("Intrusion"))
    return doc.get_update()


def varuint(number: int) -> bytes:
    out = bytearray()
    while number > 0x7F:
        out.append(0x80 | (number & 0x7F))
        number >>= 7
    out.append(number)
    return bytes(out)


def sync_update(update: bytes) -> bytes:
    """The y-websocket frame "sync, update" (docs.md, "The document socket")."""
    return varuint(0) + varuint(2) + varuint(len(update)) + update


def test_a_reader_cannot_change_the_document(suite: Suite, new_page: Any) -> None:
    suite.create_user("nadia@docs.lyon.fr", "Nadia Perrin")
    suite.create_user("olivier@docs.lyon.fr", "Olivier Roche")
    doc = make_document(suite, "nadia@docs.lyon.fr", "Arrêté", {"olivier@docs.lyon.fr": "reader"})
    nadia = new_page()
    open_document(nadia, suite.url, "nadia@docs.lyon.fr", doc)
    type_at_end(nadia, "Texte officiel.")
    expect(status(nadia)).to_have_text(SAVED)
    before = content(nadia, suite.url, doc)

    olivier = new_page()
    open_document(olivier, suite.url, "olivier@docs.lyon.fr", doc, settled=READ_ONLY)
    wait_for_text(olivier, "Texte officiel.", exact=True)
    expect(editor(olivier)).to_have_attribute("contenteditable", "false")
    expect(olivier.locator("[data-toolbar]")).to_have_count(0)
    type_at_end(olivier, "Modification interdite")
    olivier.keyboard.press("Backspace")
    olivier.keyboard.press("Enter")
    olivier.wait_for_timeout(1500)
    wait_for_text(olivier, "Texte officiel.", exact=True)
    expect(status(olivier)).to_have_text(READ_ONLY)
    shot(olivier, "reader")
    assert content(nadia, suite.url, doc) == before  # same text, same sequence: nothing stored

    # Nor can the reader's browser push a change over the socket by hand: refused, not stored.
    frames = olivier.evaluate(PUSH_UPDATE, [f"/ws/docs/{doc}/", list(sync_update(intrusion()))])
    assert [2, 0] in [frame[:2] for frame in frames], frames  # auth: permission denied
    assert not [frame for frame in frames if frame[0] == 100 and frame[1] > 0], frames
    assert content(nadia, suite.url, doc) == before
    wait_for_text(nadia, "Texte officiel.", exact=True)

    # The reader still follows the owner's changes live.
    type_at_end(nadia, " Signé le maire.")
    wait_for_text(olivier, "Texte officiel. Signé le maire.", exact=True)
    expect(status(olivier)).to_have_text(READ_ONLY)


def picture() -> bytes:
    image = Image.new("RGB", (640, 400), (0, 0, 145))
    ImageDraw.Draw(image).rectangle((160, 100, 480, 300), fill=(225, 0, 15))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def export(page: Any, fmt: str, menu_item: str, into: Path) -> Path:
    """Export from the page's menu: the job's progress, then a link that downloads the file."""
    page.get_by_role("button", name="Export", exact=True).click()
    page.get_by_role("button", name=menu_item, exact=True).click()
    name = f"Bilan_des_travaux.{fmt}"
    # The link of this export (the previous export's link stays until the new job is asked).
    link = page.locator(f"[data-export-download][download='{name}']")
    expect(link).to_be_visible(timeout=120_000)
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename == name
    path = into / download.suggested_filename
    download.save_as(path)
    return path


def render_first_page(pdf: Path, name: str) -> Path:
    """Page 1 of ``pdf`` as a PNG in var/screenshots/ (to look at)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    prefix = SHOTS / f"docs-{name}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, prefix],
        check=True,
        timeout=60,
    )
    return prefix.with_suffix(".png")


TABLE = (
    "<h1>Bilan des travaux</h1>"
    "<p>Synthèse du trimestre.</p>"
    "<table><tr><th>Chantier</th><th>Montant</th></tr>"
    "<tr><td>Gymnase</td><td>12 400</td></tr>"
    "<tr><td>Médiathèque</td><td>8 750</td></tr></table>"
    '<p><img src="{src}" alt="Plan du gymnase"></p>'
    "<p>Fin du bilan.</p>"
)


def test_export_with_a_table_and_a_picture_to_pdf_and_docx(
    suite: Suite, new_page: Any, tmp_path: Path
) -> None:
    suite.create_user("pauline@docs.lyon.fr", "Pauline Garnier")
    doc = make_document(suite, "pauline@docs.lyon.fr", "Bilan des travaux", {})
    page = new_page()
    sign_in(page, suite.url, "pauline@docs.lyon.fr")
    expect(page.locator("body")).to_have_attribute("data-live", "")
    base = f"{suite.url}/api/v1/docs/documents/{doc}"
    image = {"name": "plan.png", "mimeType": "image/png", "buffer": picture()}
    src = api(page, "POST", f"{base}/images/", multipart={"file": image}).json()["url"]
    html = TABLE.format(src=src)
    api(page, "PUT", f"{base}/content/", data={"format": "html", "content": html})

    # The page shows what the API wrote: the table and the picture, decrypted and served.
    goto_document(page, suite.url, doc)
    expect(editor(page).locator("table td", has_text="Médiathèque")).to_be_visible()
    loaded = "() => document.querySelector('[data-doc-editor] img')?.naturalWidth"
    assert page.wait_for_function(loaded).json_value() == 640
    shot(page, "editor-table-image")

    pdf = export(page, "pdf", "PDF", tmp_path)
    shot(page, "export-menu-done")
    assert pdf.read_bytes().startswith(b"%PDF")
    words = subprocess.run(
        ["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    for word in ("Bilan des travaux", "Chantier", "Montant", "Gymnase", "12 400", "Médiathèque"):
        assert word in words, words
    # Header and each row on one line: the cells were laid out as a table.
    assert re.search(r"Gymnase\s+12 400", words), words
    images = subprocess.run(
        ["pdfimages", "-list", pdf], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(images) >= 1, images
    render_first_page(pdf, "export-pdf")

    docx = export(page, "docx", "Word (DOCX)", tmp_path)
    with zipfile.ZipFile(docx) as archive:
        body = archive.read("word/document.xml").decode()
        media = [name for name in archive.namelist() if name.startswith("word/media/")]
    assert "<w:tbl>" in body and "Médiathèque" in body and "12 400" in body
    assert "<w:drawing>" in body and media, media
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            tmp_path / "from-docx",
            docx,
        ],
        capture_output=True,
        check=True,
        timeout=180,
    )
    converted = tmp_path / "from-docx" / "Bilan_des_travaux.pdf"
    words = subprocess.run(
        ["pdftotext", "-layout", converted, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"Médiathèque\s+8 750", words), words
    render_first_page(converted, "export-docx")


def test_screenshots_of_the_docs_pages(suite: Suite, new_page: Any) -> None:
    suite.create_user("quentin@docs.lyon.fr", "Quentin Faure")
    suite.create_user("rose@docs.lyon.fr", "Rose Lemaire")
    suite.shell(
        "from ensemble.accounts.models import User\n"
        "User.objects.filter(email='rose@docs.lyon.fr').update(language='fr')"
    )
    shared = [
        make_document(suite, "quentin@docs.lyon.fr", title, {"rose@docs.lyon.fr": "editor"})
        for title in ("Procès-verbal du conseil", "Plan de mobilité")
    ]
    make_document(suite, "rose@docs.lyon.fr", "Note de service", {})

    english = new_page()
    sign_in(english, suite.url, "quentin@docs.lyon.fr")
    english.goto(f"{suite.url}/docs/")
    expect(english.locator("[data-document]")).to_have_count(2)
    expect(english.get_by_role("heading", level=1)).to_be_visible()
    expect(english.get_by_role("textbox", name="New document")).to_be_visible()
    shot(english, "home-en", full_page=True)

    french = new_page(locale="fr-FR")
    french.goto(f"{suite.url}/accounts/login/")
    french.get_by_label("Adresse électronique").fill("rose@docs.lyon.fr")
    french.get_by_label("Mot de passe").fill(PASSWORD)
    french.get_by_role("button", name="Se connecter").click()
    french.goto(f"{suite.url}/docs/")
    expect(french.get_by_role("textbox", name="Nouveau document")).to_be_visible()
    shot(french, "home-fr", full_page=True)
    french.goto(f"{suite.url}/docs/{shared[1]}/")
    expect(french.get_by_role("textbox", name="Texte du document")).to_be_visible()
    expect(status(french)).to_have_text("Enregistré", timeout=20000)
    shot(french, "editor-fr", full_page=True)

    # A new document from the home page opens in the editor, ready to type.
    english.get_by_role("textbox", name="New document").fill("Ordre du jour")
    english.get_by_role("button", name="Create").click()
    expect(english.locator("[data-doc-title]")).to_have_text("Ordre du jour")
    expect(status(english)).to_have_text(SAVED, timeout=20000)
    type_at_end(english, "Point 1 : budget.")
    expect(status(english)).to_have_text(SAVED)
    shot(english, "editor", full_page=True)
