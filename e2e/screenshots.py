"""Screenshots of the pages, to look at after changing them (not a test).

.venv/bin/python e2e/screenshots.py      # writes var/screenshots/*.png
scripts/media-netns .venv/bin/python e2e/screenshots.py   # with video in the meeting screens
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MEDIA_ARGS,
    PASSWORD,
    Suite,
    free_port,
    proconnect_env,
    start_server,
    stop_server,
    suite_env,
)
from ensemble.accounts.tests.conftest import start_openid_provider

OUT = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())
    port = free_port()
    op, op_process = start_openid_provider(f"http://127.0.0.1:{port}", work / "op.log")
    env = {**suite_env(work / "data", port), **proconnect_env(op.issuer)}
    server = start_server(env, port, work / "serve.log")
    suite = Suite(f"http://127.0.0.1:{port}", env)
    try:
        suite.create_user("camille@lyon.fr", "Camille Martin")
        suite.shell(
            "from ensemble.accounts.models import User\n"
            "User.objects.filter(email='camille@lyon.fr')"
            ".update(is_staff=True, is_superuser=True, language='fr')"
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *MEDIA_ARGS]
            )
            context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(f"{suite.url}/accounts/login/")
            page.screenshot(path=str(OUT / "sign-in.png"))
            page.get_by_role("link", name="Se connecter avec ProConnect").click()
            page.get_by_label("Login").fill("noemail")
            page.get_by_label("Password").fill("pw")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_selector("[data-sign-in-error]")
            page.screenshot(path=str(OUT / "sign-in-failed.png"))
            page.goto(f"{suite.url}/accounts/login/")
            page.get_by_label("Adresse électronique").fill("camille@lyon.fr")
            page.get_by_label("Mot de passe").fill(PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.wait_for_selector("body[data-live]")
            suite.shell(
                "from ensemble.accounts.models import User\n"
                "from ensemble.portal.actions import notify\n"
                "notify(User.objects.get(email='camille@lyon.fr'), 'Réunion à 15 h', 'Salle 2')"
            )
            page.wait_for_timeout(1500)
            page.locator(".fr-header__tools-links [data-notifications-toggle]").click()
            page.screenshot(path=str(OUT / "portal.png"))
            for name, path in (
                ("profile", "/accounts/profile/"),
                ("security", "/accounts/security/"),
            ):
                page.goto(suite.url + path)
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
            page.get_by_role("button", name="Configurer la double authentification").click()
            page.screenshot(path=str(OUT / "security-totp.png"), full_page=True)
            for name, path in (("code-request", "/accounts/code/"),):
                page.goto(suite.url + path)
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
            suite.shell(
                "from datetime import timedelta\n"
                "from django.contrib.contenttypes.models import ContentType\n"
                "from django.utils import timezone\n"
                "from ensemble.accounts.guests import digest\n"
                "from ensemble.accounts.models import Invitation, Team, User\n"
                "camille = User.objects.get(email='camille@lyon.fr')\n"
                "team = Team.objects.create(name='Projet piscine', "
                "organisation=camille.organisation)\n"
                "Invitation.objects.create(email='guest@bureau.fr', role='member', "
                "invited_by=camille, target_type=ContentType.objects.get_for_model(Team), "
                "target_id=str(team.pk), digest=digest('demo-token'), "
                "expires_at=timezone.now() + timedelta(days=14))"
            )
            page.goto(f"{suite.url}/accounts/invitations/demo-token/")
            page.screenshot(path=str(OUT / "invitation.png"), full_page=True)
            page.goto(f"{suite.url}/admin/core/auditentry/")
            page.screenshot(path=str(OUT / "admin-audit.png"), full_page=True)
            chat_screens(page, suite)
            meet_screens(browser, page, suite)
            browser.close()
    finally:
        stop_server(server)
        op_process.terminate()
    print(f"Screenshots in {OUT}")


CHAT_DEMO = r"""
import io
from PIL import Image, ImageDraw
from django.core.files.uploadedfile import SimpleUploadedFile
from ensemble.accounts.models import User, Organisation
from ensemble.chat.actions import attachments, members, messages, rooms, sending
camille = User.objects.get(email='camille@lyon.fr')
lea = User.objects.create_user('lea@lyon.fr', 'x-Passw0rd-x-12', full_name='Léa Bernard',
                               organisation=camille.organisation)
room = rooms.create_room(camille, 'forum', 'Service urbanisme', 'Dossiers en cours')
rooms.create_room(camille, 'private', 'Comité de direction')
members.join_room(lea, room)
sending.send_message(camille, room, 'd1', 'Bonjour à tous, la **réunion** est à 15 h.')
first, _ = sending.send_message(lea, room, 'd2', 'Merci ! Voici le plan :\n- étage 2\n- salle B')
messages.react(camille, first, '👍', True)
sending.send_message(camille, room, 'd3', 'Parfait, je prends `le projecteur`.', reply_to=first.pk)
picture = Image.new('RGB', (1200, 800), (0, 0, 145))
ImageDraw.Draw(picture).rectangle((300, 200, 900, 600), fill=(225, 0, 15))
data = io.BytesIO(); picture.save(data, 'PNG')
upload = SimpleUploadedFile('plan-salle-b.png', data.getvalue(), content_type='image/png')
photo = attachments.upload_attachment(lea, room, upload)
agenda = SimpleUploadedFile('ordre-du-jour.pdf', b'%PDF-1.4 demo')
doc = attachments.upload_attachment(lea, room, agenda)
sending.send_message(lea, room, 'd4', 'Le plan et l ordre du jour', attachments=[photo.pk, doc.pk])
logo = io.BytesIO(); Image.new('RGB', (300, 300), (0, 99, 203)).save(logo, 'PNG')
rooms.set_avatar(camille, room, SimpleUploadedFile('logo.png', logo.getvalue()))
print(room.pk)
"""


def chat_screens(page: Any, suite: Suite) -> None:
    room = suite.shell(CHAT_DEMO).strip().splitlines()[-1]
    page.goto(f"{suite.url}/chat/{room}/")
    page.wait_for_selector("[data-message] img")
    page.wait_for_timeout(500)
    page.screenshot(path=str(OUT / "chat.png"))
    page.locator("[data-composer-text]").fill("Un **aperçu** avec `du code`")
    page.locator("[data-preview-toggle]").click()
    page.wait_for_selector("[data-preview]:not([hidden])")
    page.screenshot(path=str(OUT / "chat-preview.png"))
    page.locator("[data-replies]").first.click()
    page.wait_for_selector("[data-thread]:not([hidden])")
    page.screenshot(path=str(OUT / "chat-thread.png"))
    page.goto(f"{suite.url}/chat/")
    page.screenshot(path=str(OUT / "chat-home.png"))


MEET_DEMO = r"""
from datetime import timedelta
from django.utils import timezone
from ensemble.accounts.models import User
from ensemble.meet.actions import create_meeting
camille = User.objects.get(email='camille@lyon.fr')
start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
create_meeting(camille, 'Comité de pilotage PLU', starts_at=start,
               ends_at=start + timedelta(hours=1))
print(create_meeting(camille, 'Point urbanisme', access='public').code)
"""


def meet_screens(browser: Any, page: Any, suite: Suite) -> None:
    code = suite.shell(MEET_DEMO).strip().splitlines()[-1]
    page.goto(f"{suite.url}/meet/")
    page.screenshot(path=str(OUT / "meet-home.png"), full_page=True)
    page.goto(f"{suite.url}/meet/{code}/")
    page.wait_for_function("document.querySelector('[data-preview]').readyState === 4")
    page.screenshot(path=str(OUT / "meet-prejoin.png"))
    page.get_by_role("button", name="Rejoindre la réunion").click()
    page.wait_for_selector("[data-room]:not([hidden])")
    guest = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800}).new_page()
    guest.goto(f"{suite.url}/meet/{code}/")
    guest.get_by_label("Votre nom").fill("Jean Dupont (mairie annexe)")
    guest.screenshot(path=str(OUT / "meet-guest.png"))
    guest.get_by_role("button", name="Rejoindre la réunion").click()
    guest.wait_for_selector("[data-waiting]:not([hidden])")
    page.locator("[data-toggle-side]").click()
    page.wait_for_selector("[data-waiting-person]")
    page.screenshot(path=str(OUT / "meet-waiting.png"))
    page.locator("[data-waiting-person] [data-action=admit]").click()
    guest.wait_for_selector("[data-room]:not([hidden])")
    page.wait_for_timeout(4000)
    page.locator("[data-toggle-hand]").click()
    guest.locator("[data-toggle-side]").click()
    guest.locator("[data-tab=chat]").click()
    guest.locator("[data-chat-text]").fill("Bonjour, je vous entends bien.")
    guest.locator("[data-chat-text]").press("Enter")
    page.wait_for_timeout(1500)
    page.screenshot(path=str(OUT / "meet-room.png"))
    page.locator("[data-tab=chat]").click()
    page.locator("[data-layout=speaker]").click()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(OUT / "meet-speaker-chat.png"))
    guest.locator("[data-react='👏']").click()
    page.wait_for_selector("[data-reaction]")
    guest.screenshot(path=str(OUT / "meet-room-guest.png"))
    guest.context.close()
    chat = page.context.new_page()
    chat.goto(suite.url + str(page.locator("[data-chat-open]").get_attribute("href")))
    chat.wait_for_selector(".ens-msg")
    chat.screenshot(path=str(OUT / "chat-meeting.png"))
    chat.close()


if __name__ == "__main__":
    main()
