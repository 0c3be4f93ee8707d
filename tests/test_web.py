"""The counter's page (`luutru serve`): a real server on the ingested samples driven by Debian's headless
Chromium, and hostile input through Starlette's test client."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest
from conftest import REPOSITORY, json_of, log_in, run_luutru, users_cli

from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.layout import upright

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
ARTIFACTS = REPOSITORY / "test-artifacts"
LUUTRU = Path(sys.executable).parent / "luutru"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(home: Path, log: Path, *options: str, scheme: str = "http", context: ssl.SSLContext | None = None):
    """`luutru serve` on a free port of this machine, with these options, until the block ends: its address."""
    port = _free_port()
    with open(log, "w", encoding="utf-8") as stderr:
        process = subprocess.Popen([str(LUUTRU), "--home", str(home), "serve", "--port", str(port), *options],
                                   stderr=stderr)
    url = f"{scheme}://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1, context=context).read()
                break
            except urllib.error.HTTPError:
                break  # it answers (a login form, a code to ask for)
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"luutru serve did not start: {log.read_text(encoding='utf-8')}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(archive, tmp_path_factory):
    cache = tmp_path_factory.mktemp("page-cache")
    with serving(archive["home"], cache / "serve.log", "--cache", str(cache / "pages")) as url:
        yield {"url": url, "cache": cache, **archive}


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Debian's chromium and chromium-driver are not installed (make test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768",
                     "--disable-dev-shm-usage", "--lang=vi"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def _stored_word(home: Path, name: str, text: str) -> tuple[list, dict]:
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        words, geometry = db.execute("SELECT p.words, p.geometry FROM pages p JOIN files f ON f.id = p.file_id "
                                     "WHERE f.path LIKE ?", (f"%/{name}",)).fetchone()
    matches = [word for word in json.loads(words) if word[0].strip(".,;:") == text]
    assert len(matches) == 1, matches
    return matches[0], json.loads(geometry)


@pytest.mark.slow
def test_a_clerk_finds_a_parcel_without_diacritics_and_sees_it_boxed_on_the_scan(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as wait_for
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server["url"] + "/")
    box = browser.find_element(By.ID, "q")
    assert box == browser.switch_to.active_element  # the cursor waits in the search box
    box.send_keys("quyet dinh giao dat thua 245", Keys.ENTER)
    first = WebDriverWait(browser, 10).until(wait_for.presence_of_element_located((By.CSS_SELECTOR, "a.result")))
    assert "Quyết định số 123/QĐ-UBND" in first.text and "qd-123-giao-dat.jpg" in first.text
    assert first.find_elements(By.TAG_NAME, "mark")  # the found words are marked in the snippet
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_DOWN)  # arrows move between results
    assert browser.switch_to.active_element == first
    first.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda driver: driver.execute_script(
        "const img = document.querySelector('.sheet img'); return img && img.complete && img.naturalWidth > 0"))
    image = browser.find_element(By.CSS_SELECTOR, ".sheet img")
    boxes = [element for element in browser.find_elements(By.CSS_SELECTOR, ".box.hit")
             if element.get_attribute("title").strip(".,;:") == "245"]
    assert len(boxes) == 1
    (word, geometry) = _stored_word(server["home"], "qd-123-giao-dat.jpg", "245")
    to_upright, width, height, _ = upright(geometry)
    shown, drawn = image.rect, boxes[0].rect
    left, top, box_width, box_height = word[2:]
    expected = (left / width, top / height, box_width / width, box_height / height)
    measured = ((drawn["x"] - shown["x"]) / shown["width"], (drawn["y"] - shown["y"]) / shown["height"],
                drawn["width"] / shown["width"], drawn["height"] / shown["height"])
    assert all(abs(a - b) < 0.004 for a, b in zip(measured, expected)), (measured, expected)
    # The box lies on ink: the word's own pixels in the image shown, not paper beside it.
    ink = browser.execute_script("""
        const [img, box] = arguments; const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d'); context.drawImage(img, 0, 0);
        const scale = img.naturalWidth / img.getBoundingClientRect().width;
        const a = img.getBoundingClientRect(), b = box.getBoundingClientRect();
        const data = context.getImageData((b.x - a.x) * scale, (b.y - a.y) * scale, b.width * scale,
                                          b.height * scale).data;
        let dark = 0; for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] < 300) dark++;
        return dark / (data.length / 4);""", image, boxes[0])
    assert ink > 0.08
    # The first word found is shown, its box and its word in the page's text marked together; → moves on.
    current_box = browser.find_element(By.CSS_SELECTOR, ".box.current")
    assert browser.find_element(By.CSS_SELECTOR, ".word.current").text == current_box.get_attribute("title")
    assert browser.find_element(By.ID, "hit-count").text.startswith("1 /")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    assert browser.find_element(By.ID, "hit-count").text.startswith("2 /")
    for _ in range(len(browser.find_elements(By.CSS_SELECTOR, ".box.hit"))):
        if browser.find_element(By.CSS_SELECTOR, ".box.current") == boxes[0]:
            break
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    assert browser.find_element(By.CSS_SELECTOR, ".word.current").text.startswith("245")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "counter-document.png"))
    assert (ARTIFACTS / "counter-document.png").stat().st_size > 10_000


def test_in_the_browser_a_document_opens_at_the_phrase_typed(server, browser):
    """ "thua dat so 245": the page opens on "thửa", where the phrase stands, not on the header's "Số:"."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with sqlite3.connect(server["home"] / "catalog.sqlite3") as db:
        file_id, = db.execute("SELECT id FROM files WHERE path LIKE '%qd-123-giao-dat.jpg'").fetchone()
    browser.get(f"{server['url']}/document/{file_id}/1?q=thua+dat+so+245")
    WebDriverWait(browser, 10).until(lambda driver: driver.find_elements(By.CSS_SELECTOR, ".box.current"))
    assert browser.find_element(By.CSS_SELECTOR, ".box.current").get_attribute("title") == "thửa"
    assert browser.find_element(By.CSS_SELECTOR, ".word.current").text == "thửa"


@pytest.fixture(scope="module")
def client(archive, tmp_path_factory):
    """The application in process, on a copy of the archive whose OCR text holds markup."""
    from starlette.testclient import TestClient

    from luutru.web.app import make_app

    home = tmp_path_factory.mktemp("hostile") / "home"
    shutil.copytree(archive["home"], home, symlinks=True)
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        file_id, = db.execute("SELECT id FROM files WHERE path LIKE '%cv-45-ra-soat.png'").fetchone()
        words = json.loads(db.execute("SELECT words FROM pages WHERE file_id = ?", (file_id,)).fetchone()[0])
        words[0][0] = "<script>alert('ocr')</script>"
        text = " ".join(word[0] for word in words)
        db.execute("UPDATE pages SET text = ?, words = ? WHERE file_id = ?", (text, json.dumps(words), file_id))
    app = make_app(ArchiveHome(home), cache=tmp_path_factory.mktemp("cache"))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield {"client": test_client, "file_id": file_id}


HOSTILE_PATHS = ["/../../etc/passwd", "/static/../../../../etc/passwd", "/static/..%2f..%2f..%2fetc%2fpasswd",
                 "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/page/..%2f..%2fetc%2fpasswd/1.jpg",
                 "/document/1/1/..%2f..%2f..%2fetc%2fpasswd", "/page/1/%2e%2e%2f%2e%2e%2fetc%2fpasswd.jpg",
                 "/static/..\\..\\etc\\passwd", "/document/-1/1", "/page/999999/1.jpg", "/document/1/999999"]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_no_path_from_a_request_reaches_a_file_outside_the_catalog(client, path):
    response = client["client"].get(path)
    assert response.status_code in (400, 404, 405)
    assert "root:" not in response.text and "Traceback" not in response.text
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("query", ["../../etc/passwd", "%2e%2e%2fetc%2fpasswd", "<script>alert(1)</script>",
                                   '"><img src=x onerror=alert(1)>', "so:", "thua:(", "x" * 10_000, "đất " * 2_000,
                                   "nam:abc", "loai:[a TO c]"])
def test_a_hostile_query_gets_a_page_never_a_traceback_nor_a_script(client, query):
    for params in ({"q": query}, {"q": "dat", "year": query}, {"q": "dat", "from": query},
                   {"q": "dat", "dossier": query}):
        response = client["client"].get("/", params=params)
        assert response.status_code in (200, 400)
        assert "<script>alert" not in response.text and "<img src=x" not in response.text
        assert "Traceback" not in response.text and "root:" not in response.text


def test_text_read_from_a_scan_is_shown_as_text_not_markup(client):
    response = client["client"].get(f"/document/{client['file_id']}/1", params={"q": "ra soat"})
    assert response.status_code == 200
    assert "<script>alert('ocr')</script>" not in response.text
    assert "&lt;script&gt;alert(" in response.text


def test_a_document_opens_at_the_phrase_and_marks_the_tones_typed(archive, tmp_path):
    """ "thua dat so 245" opens at the phrase, not the header's "Số:"; "mồ mả" typed with its tones marks "mồ"
    and "mả", not "mở" or "Má" (typed without, it marks every spelling)."""
    import re

    from starlette.testclient import TestClient

    from luutru.web.app import make_app

    with sqlite3.connect(archive["home"] / "catalog.sqlite3") as db:
        ids = {Path(path).name: file_id for file_id, path in db.execute("SELECT id, path FROM files")}
    with TestClient(make_app(ArchiveHome(archive["home"]), cache=tmp_path)) as client:
        page = client.get(f"/document/{ids['qd-123-giao-dat.jpg']}/1", params={"q": "thua dat so 245"}).text
        start = re.search(r'data-start="([^"]+)"', page).group(1)
        assert re.search(rf'class="word hit[^"]*" data-word="{start}">thửa<', page)
        graves = client.get(f"/document/{ids['ttr-09-mo-ma.jpg']}/1", params={"q": "mồ mả"}).text
        marked = set(re.findall(r'class="word hit[^"]*" data-word="[^"]+">([^<]+)<', graves))
        assert marked and {word.strip(".,") for word in marked} <= {"mồ", "mả"}
        loose = client.get(f"/document/{ids['ttr-09-mo-ma.jpg']}/1", params={"q": "mo ma"}).text
        assert {"mở", "mồ"} <= set(re.findall(r'class="word hit[^"]*" data-word="[^"]+">([^<]+)<', loose))


def test_a_token_keeps_the_page_closed_to_the_lan(archive, tmp_path):
    from starlette.testclient import TestClient

    from luutru.web.app import make_app

    with TestClient(make_app(ArchiveHome(archive["home"]), token="mã-bí-mật-42".encode().hex(),
                             cache=tmp_path)) as test_client:
        code = "mã-bí-mật-42".encode().hex()
        closed = test_client.get("/", params={"q": "dat"})
        assert closed.status_code == 401 and "Cần mã truy cập" in closed.text and "Quyết định" not in closed.text
        assert test_client.get("/page/1/1.jpg").status_code == 401
        assert test_client.get("/", params={"token": "mã giả"}).status_code == 401  # not a 500: any characters
        opened = test_client.get("/", params={"token": code})
        assert opened.status_code == 200 and "token" not in str(opened.url)
        assert test_client.get("/", params={"q": "quyet dinh"}).status_code == 200
        assert "Quyết định" in test_client.get("/", params={"q": "quyet dinh"}).text
        # The 401 page says how to get in, with no link back to itself; the access lasts a working day.
        assert "?token=" in closed.text and 'href="/"' not in closed.text
        given = test_client.get("/", params={"token": code}, follow_redirects=False).headers["set-cookie"]
        assert "Max-Age=36000" in given and "HttpOnly" in given


def test_serve_on_the_lan_prints_the_addresses_a_clerks_pc_opens(archive):
    port = _free_port()
    process = subprocess.Popen([str(LUUTRU), "--home", str(archive["home"]), "serve", "--host", "0.0.0.0", "--port",
                                str(port), "--token", "ma-42"], stderr=subprocess.PIPE, text=True)
    try:
        said = [process.stderr.readline() for _ in range(2)]
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()
    assert said[0].startswith("luutru: the counter's page is at http://") and "0.0.0.0" not in " ".join(said)
    assert f":{port}/?token=ma-42" in said[1]


def test_the_exported_pdfa_is_offered_beside_its_document(archive, tmp_path):
    from starlette.testclient import TestClient

    from luutru.web.app import make_app

    exports = tmp_path / "pdfa"
    run_luutru(archive["home"], "export", "--format", "pdfa", "--out", str(exports),
               str(archive["scans"] / "2023" / "qd-123-giao-dat.jpg"))
    with sqlite3.connect(archive["home"] / "catalog.sqlite3") as db:
        decision, = db.execute("SELECT id FROM files WHERE path LIKE '%qd-123-giao-dat.jpg'").fetchone()
        other, = db.execute("SELECT id FROM files WHERE path LIKE '%cv-45-ra-soat.png'").fetchone()
    with TestClient(make_app(ArchiveHome(archive["home"]), cache=tmp_path / "cache", exports=exports)) as client:
        assert "Tải PDF/A" in client.get(f"/document/{decision}/1").text
        pdf = client.get(f"/document/{decision}/1/pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content == (exports / "qd-123-giao-dat.pdf").read_bytes()
        assert "Tải PDF/A" not in client.get(f"/document/{other}/1").text  # not exported: no link
        assert client.get(f"/document/{other}/1/pdf").status_code == 404


def test_searches_go_on_while_the_nightly_rebuild_swaps_the_index(archive, tmp_path):
    from starlette.testclient import TestClient

    from luutru.web.app import make_app

    home = tmp_path / "home"
    shutil.copytree(archive["home"], home, symlinks=True)
    with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache")) as client:
        before = client.get("/", params={"q": "thua dat so 245"})
        assert before.status_code == 200 and "Quyết định số 123/QĐ-UBND" in before.text
        old_generation = (home / "index").resolve()
        run_luutru(home, "reindex", "--full")
        assert (home / "index").resolve() != old_generation
        after = client.get("/", params={"q": "thua dat so 245"})
        assert after.status_code == 200 and "Quyết định số 123/QĐ-UBND" in after.text


def test_every_use_of_the_page_is_in_the_audit_trail_and_an_edit_breaks_its_chain(archive, tmp_path):
    """A search, a document, a page image and a download, each recorded with what was seen before the answer
    goes out; listed by scan and as the reading room's CSV; the trail refuses an UPDATE, and an edit made
    around that (the trigger dropped) is found by `audit verify`."""
    from starlette.testclient import TestClient

    from luutru.web.app import make_app

    home = tmp_path / "home"
    shutil.copytree(archive["home"], home, symlinks=True)
    (home / "audit.sqlite3").unlink(missing_ok=True)
    exports = tmp_path / "pdfa"
    run_luutru(home, "export", "--format", "pdfa", "--out", str(exports),
               str(archive["scans"] / "2023" / "qd-123-giao-dat.jpg"))
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        decision, = db.execute("SELECT id FROM files WHERE path LIKE '%qd-123-giao-dat.jpg'").fetchone()
    with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache", exports=exports)) as client:
        for url, params in (("/", {"q": "thua dat so 245"}), (f"/document/{decision}/1", {}),
                            (f"/page/{decision}/1.jpg", {}), (f"/document/{decision}/1/pdf", {})):
            assert client.get(url, params=params).status_code == 200, url
    events = json_of(run_luutru(home, "audit", "list", "--json"))["events"]
    assert [event["action"] for event in events] == ["search", "document", "page", "download"]
    assert events[0]["what"]["q"] == "thua dat so 245" and [decision, 1] in events[0]["what"]["documents"]
    assert {event["what"]["file_id"] for event in events[1:]} == {decision} and events[0]["client"]
    assert len(json_of(run_luutru(home, "audit", "list", "--file", str(decision), "--json"))["events"]) == 3
    register = run_luutru(home, "audit", "list", "--csv").stdout
    assert register.startswith("\ufeffThời gian,Người dùng") and len(register.strip().splitlines()) == 5
    assert json_of(run_luutru(home, "audit", "verify", "--json")) == {"intact": True, "events": 4, "broken_at": None}
    with closing(sqlite3.connect(home / "audit.sqlite3")) as db:
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("UPDATE events SET user = 'someone else'")
        db.execute("DROP TRIGGER events_never_change")
        db.execute("UPDATE events SET what = '{}' WHERE id = 2")
        db.commit()
    broken = run_luutru(home, "audit", "verify", check_code=1)
    assert "BROKEN at event 2 of 4" in broken.stdout


def test_once_there_are_accounts_the_page_asks_everyone_to_log_in(archive, tmp_path):
    """Accounts made from the command line (passwords from standard input, hashed); the page sends a visitor to
    /login; a login without the form's CSRF token is refused; ten wrong passwords lock the account, so that the
    right one no longer opens it; a good login opens a session (HttpOnly, SameSite) whose searches the audit
    trail records under the person's name; logging out needs the session's token and ends it."""
    from starlette.testclient import TestClient

    from luutru.web.app import make_app

    home = tmp_path / "home"
    shutil.copytree(archive["home"], home, symlinks=True)
    (home / "audit.sqlite3").unlink(missing_ok=True)
    users_cli(home, "add", "lan", "--role", "clerk", password="mat-khau-lan")
    users_cli(home, "add", "minh", "--role", "archivist", password="mat-khau-minh")
    assert "too short" not in users_cli(home, "add", "hoa", "--role", "head", password="ngan", check_code=2).stderr
    users_cli(home, "add", "lan", "--role", "head", password="mat-khau-khac", check_code=2)  # exists already
    listed = json.loads(users_cli(home, "list", "--json").stdout)["users"]
    assert [(user["name"], user["role"], user["modes"]) for user in listed] == [
        ("lan", "clerk", ["01"]), ("minh", "archivist", ["01", "02"])]
    assert b"mat-khau-lan" not in (home / "users.sqlite3").read_bytes()
    with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache")) as client:
        shut = client.get("/", params={"q": "quyet dinh"}, follow_redirects=False)
        assert shut.status_code == 303 and shut.headers["location"] == "/login"
        assert log_in(client, "lan", "mat-khau-lan", csrf=False).status_code == 403
        for _ in range(10):
            assert log_in(client, "minh", "sai-mat-khau").status_code == 401
        assert log_in(client, "minh", "mat-khau-minh").status_code == 401  # locked
        form = client.get("/login")
        assert client.get("/favicon.ico").url.path == "/login"  # a browser's own request, sent to the form too
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        opened = client.post("/login", data={"username": "lan", "password": "mat-khau-lan", "csrf": token},
                             follow_redirects=False)  # the form shown first still logs in
        assert opened.status_code == 303 and opened.headers["location"] == "/"
        cookie = opened.headers["set-cookie"]
        assert "luutru_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        page = client.get("/", params={"q": "quyet dinh"})
        assert page.status_code == 200 and "Quyết định" in page.text and "Đăng xuất" in page.text
        assert client.post("/logout", data={"csrf": "giả"}, follow_redirects=False).status_code == 403
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        assert client.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
        assert client.get("/", params={"q": "quyet dinh"}, follow_redirects=False).status_code == 303
    events = json_of(run_luutru(home, "audit", "list", "--json"))["events"]
    assert [event["action"] for event in events].count("login-failed") == 11
    assert [(event["user"], event["action"]) for event in events[-4:]] == [
        ("lan", "login"), ("lan", "search"), ("lan", "refused"), ("lan", "logout")]  # the logout without its token
    assert "locked until" in users_cli(home, "list").stdout
    users_cli(home, "passwd", "minh", password="mat-khau-moi")
    users_cli(home, "disable", "lan")
    with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache")) as client:
        assert log_in(client, "minh", "mat-khau-moi").status_code == 303
        assert log_in(client, "lan", "mat-khau-lan").status_code == 401


def test_a_session_outlives_a_restart_of_the_page_and_ends_with_the_account(archive, tmp_path):
    """Sessions are kept in users.sqlite3 (only a hash of the browser's token): the page started again knows the
    cookie; a changed password or a disabled account ends every session of it at once."""
    from starlette.testclient import TestClient

    from luutru.web.app import SESSION_COOKIE, make_app

    home = tmp_path / "home"
    shutil.copytree(archive["home"], home, symlinks=True)
    for name in ("lan", "minh"):
        users_cli(home, "add", name, "--role", "clerk", password=f"mat-khau-{name}")
    tokens = {}
    for name in ("lan", "minh"):
        with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache")) as client:
            tokens[name] = log_in(client, name, f"mat-khau-{name}").cookies[SESSION_COOKIE]
    assert tokens["lan"].encode() not in (home / "users.sqlite3").read_bytes()

    def searches(name: str) -> int:
        with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache"),
                        cookies={SESSION_COOKIE: tokens[name]}) as client:  # the page started anew
            return client.get("/", params={"q": "quyet dinh"}, follow_redirects=False).status_code

    assert searches("lan") == searches("minh") == 200
    with sqlite3.connect(home / "users.sqlite3") as db:  # the accounts as the luutru before sessions left them
        db.execute("DROP TABLE sessions")
    assert searches("lan") == 303  # to the login form, not a failure: the page brings the file up to date
    tokens = {}
    for name in ("lan", "minh"):
        with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache")) as client:
            tokens[name] = log_in(client, name, f"mat-khau-{name}").cookies[SESSION_COOKIE]
    assert searches("lan") == searches("minh") == 200
    users_cli(home, "passwd", "lan", password="mat-khau-moi")
    users_cli(home, "disable", "minh")
    assert searches("lan") == searches("minh") == 303  # to the login form


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files, the way an office makes one for its LAN."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "luutru.local")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    certfile, keyfile = folder / "luutru.crt", folder / "luutru.key"
    certfile.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return certfile, keyfile


@pytest.mark.slow
def test_over_tls_its_own_or_a_proxys_the_cookies_are_secure_and_browsers_kept_to_tls(archive, tmp_path):
    """Served with its own certificate, or behind a proxy that ends TLS and says so (X-Forwarded-Proto from an
    address --forwarded-allow-ips trusts), the login's cookie is Secure and every answer carries HSTS; over plain
    HTTP, or when an untrusted address says https, neither."""
    home = tmp_path / "home"
    shutil.copytree(archive["home"], home, symlinks=True)
    users_cli(home, "add", "lan", "--role", "clerk", password="mat-khau-lan")
    certfile, keyfile = _certificate(tmp_path)
    trusting = ssl.create_default_context(cafile=str(certfile))

    def answer(url: str, https_said: bool = False, context: ssl.SSLContext | None = None) -> tuple[str, str]:
        """The login form's HSTS header and the cookie it sets, asked directly or through a proxy that says https."""
        asked = urllib.request.Request(f"{url}/login", headers={"X-Forwarded-Proto": "https"} if https_said else {})
        with urllib.request.urlopen(asked, timeout=10, context=context) as response:
            return response.headers.get("Strict-Transport-Security", ""), response.headers.get("Set-Cookie", "")

    def secured(hsts: str, cookie: str) -> bool:
        assert "luutru_csrf=" in cookie and "HttpOnly" in cookie, cookie
        return hsts.startswith("max-age=") and "; Secure" in cookie

    cache = ("--cache", str(tmp_path / "pages"))
    with serving(home, tmp_path / "tls.log", "--certfile", str(certfile), "--keyfile", str(keyfile), *cache,
                 scheme="https", context=trusting) as url:
        assert secured(*answer(url, context=trusting))
        with pytest.raises(OSError):  # refused or cut: no plain HTTP on the TLS port
            answer(url.replace("https:", "http:"))
    with serving(home, tmp_path / "proxied.log", *cache) as url:  # a proxy on this machine: trusted by default
        assert secured(*answer(url, https_said=True)) and not secured(*answer(url))
    with serving(home, tmp_path / "untrusted.log", "--forwarded-allow-ips", "10.9.9.9", *cache) as url:
        assert not secured(*answer(url, https_said=True))
    run_luutru(home, "serve", "--certfile", str(certfile), check_code=2)  # the key missing: one line, status 2


def test_nothing_of_a_document_reaches_a_person_whose_role_may_not_read_it(archive, tmp_path):
    """A decision made secret (03) and a letter of conditional use (02): a clerk (01) meets neither by its own
    words, its number, a near spelling, a suggestion, a count, its page's address or its download, each refused as
    a file that does not exist; an archivist (01, 02) reads the letter only; the head of the archive reads both.
    Every request, refused ones too, is in the audit trail under the person's name."""
    from starlette.testclient import TestClient

    from luutru.index.words import fold
    from luutru.web.app import make_app

    home = tmp_path / "home"
    shutil.copytree(archive["home"], home, symlinks=True)
    (home / "audit.sqlite3").unlink(missing_ok=True)
    decision, letter = (archive["scans"] / "2023" / name for name in ("qd-123-giao-dat.jpg", "cv-45-ra-soat.png"))
    run_luutru(home, "documents", "set", str(decision), "--mode", "03")
    run_luutru(home, "documents", "set", str(letter), "--mode", "Sử dụng có điều kiện")
    exports = tmp_path / "pdfa"
    run_luutru(home, "export", "--format", "pdfa", "--out", str(exports), str(decision))
    for name, role in (("lan", "clerk"), ("minh", "archivist"), ("hoa", "head")):
        users_cli(home, "add", name, "--role", role, password=f"mat-khau-{name}")
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        ids = {Path(path).name: file_id for file_id, path in db.execute("SELECT id, path FROM files")}
        texts = {Path(path).name: text for path, text in db.execute(
            "SELECT f.path, group_concat(p.text, ' ') FROM pages p JOIN files f ON f.id = p.file_id GROUP BY f.id")}
    secret = ids["qd-123-giao-dat.jpg"]
    others = {fold(word) for name, text in texts.items() if name != "qd-123-giao-dat.jpg"
              for word in re.findall(r"\w+", text.lower())}  # folded: a clerk types without diacritics
    own_words = [word for word in re.findall(r"[^\W\d]{5,}", texts["qd-123-giao-dat.jpg"].lower())
                 if fold(word) not in others]
    assert len(own_words) >= 2, own_words

    def sees(client, query: str, **filters) -> tuple[set, str]:
        """The files a search lists, and the line that counts what it found."""
        page = client.get("/", params={"q": query, **filters}).text
        counted = re.search(r'<p class="count">([^<]*)', page)
        return {int(file_id) for file_id in re.findall(r'href="/document/(\d+)/', page)}, \
            counted.group(1) if counted else ""

    with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache", exports=exports)) as client:
        log_in(client, "hoa", "mat-khau-hoa")
        head = {query: sees(client, query) for query in ("quyet dinh", own_words[0])}
        assert secret in head[own_words[0]][0] and ids["cv-45-ra-soat.png"] in sees(client, "ra soat")[0]
        misspelt = own_words[0][:-1] + ("x" if own_words[0][-1] != "x" else "y")
        assert own_words[0] in client.get("/", params={"q": misspelt}).text.lower()  # a near spelling finds it
    with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache", exports=exports)) as client:
        log_in(client, "lan", "mat-khau-lan")
        for query in own_words[:3] + ["123/QĐ-UBND", misspelt]:
            shown = client.get("/", params={"q": query}).text.split("<main>")[1]  # what was found, not the query
            suggested = re.findall(r'Có phải bạn muốn tìm\s*<a href="[^"]*">([^<]*)<', shown)
            assert f"/document/{secret}/" not in shown, query
            assert not any(fold(word) in " ".join(suggested).split() for word in own_words), (query, suggested)
        assert secret not in sees(client, "", number="123/QĐ-UBND")[0]
        clerk_files, clerk_count = sees(client, "quyet dinh")
        assert clerk_files == head["quyet dinh"][0] - {secret, ids["cv-45-ra-soat.png"]}
        assert clerk_count.startswith(f"{len(clerk_files)} văn bản") and clerk_count != head["quyet dinh"][1]
        assert ids["cv-45-ra-soat.png"] not in sees(client, "ra soat")[0]
        nowhere = client.get("/document/999999/1")
        for url in (f"/document/{secret}/1", f"/page/{secret}/1.jpg", f"/document/{secret}/1/pdf"):
            refused = client.get(url)
            assert refused.status_code == 404 and "qd-123" not in refused.text, url
            said = re.search(r"<h1>(.*?)</h1>\s*<p>(.*?)</p>", refused.text, re.S).groups()
            assert said == tuple(part.replace("999999", str(secret)) for part in re.search(
                r"<h1>(.*?)</h1>\s*<p>(.*?)</p>", nowhere.text, re.S).groups()), url
    with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache", exports=exports)) as client:
        log_in(client, "minh", "mat-khau-minh")
        assert ids["cv-45-ra-soat.png"] in sees(client, "ra soat")[0] and secret not in sees(client, own_words[0])[0]
    events = json_of(run_luutru(home, "audit", "list", "--user", "lan", "--json"))["events"]
    assert [event["action"] for event in events].count("refused") == 4
    assert {event["what"]["path"] for event in events if event["action"] == "refused"} >= {
        f"/document/{secret}/1", f"/page/{secret}/1.jpg", f"/document/{secret}/1/pdf"}


def _restricted_letter(archive, tmp_path: Path, listed: str) -> tuple[Path, int, list[str]]:
    """A copy of the archive whose letter cv-45 is of conditional use (02), config.toml listing `listed` by title,
    accounts for a clerk (lan) and an archivist (minh): the home, the letter's id, and words of the letter's pages
    that neither its title nor another document holds."""
    from luutru.index.words import fold

    home = tmp_path / "home"
    shutil.copytree(archive["home"], home, symlinks=True)
    (home / "audit.sqlite3").unlink(missing_ok=True)
    with open(home / "config.toml", "a", encoding="utf-8") as config:
        config.write(f"listed_by_title = {listed}\n")
    letter = archive["scans"] / "2023" / "cv-45-ra-soat.png"
    run_luutru(home, "documents", "set", str(letter), "--mode", "02")
    for name, role in (("lan", "clerk"), ("minh", "archivist")):
        users_cli(home, "add", name, "--role", role, password=f"mat-khau-{name}")
    shown = json_of(run_luutru(home, "show", str(letter), "--json"))
    with sqlite3.connect(home / "catalog.sqlite3") as db:
        texts = {Path(path).name: text for path, text in db.execute(
            "SELECT f.path, group_concat(p.text, ' ') FROM pages p JOIN files f ON f.id = p.file_id GROUP BY f.id")}
    title = " ".join(str(shown["documents"][0].get(name) or "") for name in ("type", "number", "subject"))
    elsewhere = {fold(word) for name, text in [*texts.items(), ("title", title)] if name != letter.name
                 for word in re.findall(r"\w+", text.lower())}
    body_only = [word for word in re.findall(r"[^\W\d]{4,}", texts[letter.name].lower())
                 if fold(word) not in elsewhere]
    assert len(body_only) >= 2, body_only
    return home, shown["file"]["id"], body_only


def test_a_document_listed_by_title_is_named_to_those_who_may_not_read_it_and_nothing_more(archive, tmp_path):
    """With listed_by_title = ["02"], a clerk who searches a conditional letter's subject or number is told it
    exists, by its type, number, date and subject, "cần được phép khai thác", with no link, snippet or file name;
    a word of its pages alone finds nothing of it; the archivist reads it as any document. The command line's
    --role draws the same line, and the audit trail records what was listed."""
    from starlette.testclient import TestClient

    from luutru.web.app import make_app

    home, letter, body_only = _restricted_letter(archive, tmp_path, '["02"]')
    with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache")) as client:
        log_in(client, "lan", "mat-khau-lan")
        for params in ({"q": "ra soat ho so"}, {"number": "45/UBND-TNMT"}):
            main = client.get("/", params=params).text.split("<main>")[1]
            withheld = main.split('<ul class="results withheld">')[1]
            assert "Công văn số 45/UBND-TNMT, ngày 03/10/2023" in withheld and "rà soát hồ sơ" in withheld
            assert "cần được phép khai thác" in withheld and f"/document/{letter}/" not in main, params
            assert "cv-45" not in main and not any(word in main.lower() for word in body_only), params
        for word in body_only[:3]:
            assert "withheld" not in client.get("/", params={"q": word}).text.split("<main>")[1], word
    with TestClient(make_app(ArchiveHome(home), cache=tmp_path / "cache")) as client:
        log_in(client, "minh", "mat-khau-minh")
        main = client.get("/", params={"q": "ra soat ho so"}).text.split("<main>")[1]
        assert f"/document/{letter}/" in main and "withheld" not in main
    searches = [event for event in json_of(run_luutru(home, "audit", "list", "--json"))["events"]
                if event["action"] == "search"]
    assert searches[0]["user"] == "lan" and searches[0]["what"]["withheld"] == [[letter, 1]]
    assert searches[-1]["user"] == "minh" and searches[-1]["what"]["withheld"] == []

    def found(*args: str) -> tuple[set, set]:
        result = json_of(run_luutru(home, "search", *args, "--json"))
        return ({document["file_id"] for document in result["documents"]},
                {document["file_id"] for document in result["withheld"]})

    assert found("ra soat ho so", "--role", "clerk") == (set(), {letter})
    assert found("so:45/UBND-TNMT AND soat", "--role", "clerk") == (set(), {letter})  # the query language
    assert letter not in found(body_only[0], "--role", "clerk")[1] | found(body_only[0], "--role", "clerk")[0]
    assert found("ra soat ho so", "--role", "archivist") == ({letter}, set())
    assert found("ra soat ho so") == ({letter}, set())  # no role: the catalog's reader reads everything
    said = run_luutru(home, "search", "ra soat ho so", "--role", "clerk").stdout
    assert "cần được phép khai thác" in said and "45/UBND-TNMT" in said and "cv-45" not in said
    (home / "config.toml").write_text((home / "config.toml").read_text(encoding="utf-8").replace(
        'listed_by_title = ["02"]', "listed_by_title = []"), encoding="utf-8")
    assert found("ra soat ho so", "--role", "clerk") == (set(), set())  # the default: as if it did not exist
    config = (home / "config.toml").read_text(encoding="utf-8")
    (home / "config.toml").write_text(config.replace("listed_by_title = []", 'listed_by_title = ["su dung co dieu '
                                                     'kien"]'), encoding="utf-8")  # a mode by its name, unmarked
    assert found("ra soat ho so", "--role", "clerk") == (set(), {letter})
    (home / "config.toml").write_text(config.replace("listed_by_title = []", 'listed_by_title = "02"'),
                                      encoding="utf-8")
    refused = run_luutru(home, "search", "ra soat", "--role", "clerk", check_code=2).stderr.strip().splitlines()
    assert len(refused) == 1 and "config.toml" in refused[0] and "listed_by_title" in refused[0], refused


@pytest.mark.slow
def test_in_the_browser_a_clerk_and_an_archivist_log_in_and_each_finds_what_their_role_reads(archive, tmp_path,
                                                                                             browser):
    """Logged in through the page's form in Chromium: the clerk meets the conditional letter only by its title,
    with no link to it, and its page's address answers as a page that does not exist; the archivist, logged in
    after the clerk logs out, opens it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as wait_for
    from selenium.webdriver.support.ui import WebDriverWait

    home, letter, _ = _restricted_letter(archive, tmp_path, '["02"]')

    def log_in_as(url: str, name: str) -> None:
        browser.delete_all_cookies()
        browser.get(url + "/")
        WebDriverWait(browser, 10).until(wait_for.url_contains("/login"))
        browser.find_element(By.NAME, "username").send_keys(name)
        browser.find_element(By.NAME, "password").send_keys(f"mat-khau-{name}", Keys.ENTER)
        WebDriverWait(browser, 10).until(wait_for.presence_of_element_located((By.ID, "q")))

    def search(text: str) -> None:
        box = browser.find_element(By.ID, "q")
        box.clear()
        box.send_keys(text, Keys.ENTER)
        WebDriverWait(browser, 10).until(lambda driver: "q=" in driver.current_url)

    with serving(home, tmp_path / "serve.log", "--cache", str(tmp_path / "pages")) as url:
        log_in_as(url, "lan")
        search("ra soat ho so")
        listed = browser.find_element(By.CSS_SELECTOR, "ul.withheld li")
        assert "45/UBND-TNMT" in listed.text and "cần được phép khai thác" in listed.text
        assert not listed.find_elements(By.TAG_NAME, "a")
        assert not browser.find_elements(By.CSS_SELECTOR, f'a[href^="/document/{letter}/"]')
        browser.get(f"{url}/document/{letter}/1")
        assert "cv-45" not in browser.page_source and "Đăng xuất" in browser.page_source
        browser.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
        WebDriverWait(browser, 10).until(wait_for.url_contains("/login"))
        log_in_as(url, "minh")
        search("ra soat ho so")
        browser.find_element(By.CSS_SELECTOR, f'a.result[href^="/document/{letter}/"]').click()
        WebDriverWait(browser, 10).until(wait_for.presence_of_element_located((By.CSS_SELECTOR, ".sheet img")))
        assert "45/UBND-TNMT" in browser.find_element(By.CSS_SELECTOR, ".toolbar .title").text
    events = json_of(run_luutru(home, "audit", "list", "--json"))["events"]
    assert [(event["user"], event["action"]) for event in events if event["action"] != "page"] == [
        ("lan", "login"), ("lan", "search"), ("lan", "refused"), ("lan", "logout"),
        ("minh", "login"), ("minh", "search"), ("minh", "document")]
