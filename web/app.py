"""The counter's search page (`luutru serve`): a small Starlette application over an archive home,
read-only. Jinja escapes everything it shows; every response forbids scripts and images from
anywhere but the page itself; a failure is a message in Vietnamese, never a traceback.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

import jinja2
from platformdirs import user_cache_path
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from luutru import __version__
from luutru.errors import LuutruError, NotFound
from luutru.i18n import N_, in_vietnamese
from luutru.pipeline.audit import AuditTrail
from luutru.pipeline.home import ArchiveHome
from luutru.pipeline.reader import ArchiveReader
from luutru.pipeline.users import (
    User,
    access_of,
    authenticate,
    close_session,
    open_session,
    upgrade,
)
from luutru.web.views import SearchForm, document_pdf, document_view, page_image, search_documents

log = logging.getLogger("luutru")
HERE = Path(__file__).parent
TOKEN_COOKIE = "luutru_token"
SESSION_COOKIE = "luutru_session"
CSRF_COOKIE = "luutru_csrf"  # the login form's token, before there is a session to hold it
AUDIT_USER = "counter"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; script-src 'self'; style-src 'self'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# Served over TLS (its own certificate, or a proxy that says so in X-Forwarded-Proto), browsers are told to come
# back over TLS alone for a year.
HSTS = "max-age=31536000"
# The page's title for an answer of each status (in Vietnamese, through the catalog).
MESSAGES = {400: N_("Bad request"), 401: N_("Access code needed"), 403: N_("Not allowed"), 404: N_("Not found"),
            405: N_("Not allowed"), 500: N_("Something went wrong")}


@dataclass(frozen=True)
class Session:
    """A person logged in (pipeline.users keeps the sessions): who, and the token every form that changes
    something must carry."""
    user: User
    csrf: str


class Counter:
    """The application's state: the archive it reads, where page images are cached, the access token."""

    def __init__(self, home: ArchiveHome, token: str | None, cache: Path | None, exports: Path | None,
                 token_hours: float = 10, audit: bool = True) -> None:
        self.reader = ArchiveReader(home)
        self.home = home
        self.audit = AuditTrail(home.root) if audit else None
        upgrade(home.root)
        self.token = token
        self.token_hours = token_hours  # how long a browser keeps the access the token gave it
        self.cache = cache or user_cache_path("luutru") / "pages"
        self.exports = exports
        self.templates = Jinja2Templates(env=jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, extensions=["jinja2.ext.i18n"]))
        # The page speaks Vietnamese whatever the server's locale: its words come from luutru's catalog.
        self.templates.env.install_gettext_callables(in_vietnamese, lambda one, many, count: in_vietnamese(many),
                                                     newstyle=True)
        self.templates.env.globals["version"] = __version__

    def record(self, request: Request, action: str, what: dict) -> None:
        """One use of the archive in the audit trail, before the answer goes out: by the person logged in, or
        "counter" where the page has one shared access (a token, or this machine alone)."""
        if self.audit is not None:
            session = getattr(request.state, "session", None)
            self.audit.record(session.user.name if session else AUDIT_USER,
                              request.client.host if request.client else "", action, what)

    def access(self, request: Request) -> tuple[bool, Session | None]:
        """Whether the archive has accounts (then every page but the login form needs one), and the request's
        session."""
        accounts, found = access_of(self.home.root, request.cookies.get(SESSION_COOKIE, ""))
        return accounts, (Session(*found) if found else None)

    def open_session(self, user: User) -> tuple[str, Session]:
        token, csrf = open_session(self.home.root, user, self.token_hours)
        return token, Session(user, csrf)

    def close_session(self, request: Request) -> None:
        close_session(self.home.root, request.cookies.get(SESSION_COOKIE, ""))

    def page(self, request: Request, template: str, status: int = 200, **context) -> Response:
        session = getattr(request.state, "session", None)
        return self.templates.TemplateResponse(request, template, {"form": SearchForm(), "session": session,
                                                                   **context}, status_code=status)


class Guard(BaseHTTPMiddleware):
    """The access token, when one is set (a LAN), and the security headers on every response."""

    def __init__(self, app, counter: Counter) -> None:
        super().__init__(app)
        self.counter = counter

    async def dispatch(self, request: Request, call_next) -> Response:
        token = self.counter.token
        open_paths = request.url.path.startswith("/static/") or request.url.path == "/login"
        if not token and not open_paths:
            accounts, request.state.session = await run_in_threadpool(self.counter.access, request)
            if accounts and request.state.session is None:
                return self._secured(request, RedirectResponse("/login", status_code=303))
        if token and not request.url.path.startswith("/static/"):
            given = request.query_params.get("token")
            if given and _same(given, token):
                response = RedirectResponse(request.url.remove_query_params("token"), status_code=303)
                set_cookie(request, response, TOKEN_COOKIE, token, int(self.counter.token_hours * 3600))
                return self._secured(request, response)
            presented = request.cookies.get(TOKEN_COOKIE) or request.headers.get("authorization", "").removeprefix(
                "Bearer ")
            if not (presented and _same(presented, token)):
                return self._secured(request, self.counter.page(
                    request, "message.html", 401, title=in_vietnamese(MESSAGES[401]), back=False,
                    message=in_vietnamese(N_("Open the page once with the link holding the access code "
                                             "(…/?token=CODE) that luutru's administrator gives; this computer is "
                                             "then remembered for the working day."))))
        return self._secured(request, await call_next(request))

    @staticmethod
    def _secured(request: Request, response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = HSTS
        return response


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None = None) -> None:
    """A cookie for this site's pages alone (HttpOnly, SameSite=Strict), sent back over TLS alone when the page is
    served over TLS (Secure)."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def _modes(request: Request) -> tuple[str, ...] | None:
    """The use modes the person logged in may read; None (every document) where the page has no accounts."""
    session = getattr(request.state, "session", None)
    return session.user.modes if session else None


def _same(given: str, expected: str) -> bool:
    """A secret compared in constant time, whatever characters a request sent."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def _form(request: Request) -> SearchForm:
    return SearchForm.of(request.query_params)


def _number(request: Request, name: str) -> int:
    value = request.path_params[name]
    if not (isinstance(value, int) and value >= 0):
        raise HTTPException(400)
    return value


def make_app(home: ArchiveHome, token: str | None = None, cache: Path | None = None,
             exports: Path | None = None, token_hours: float = 10, audit: bool = True) -> Starlette:
    counter = Counter(home, token, cache, exports, token_hours, audit)

    async def index(request: Request) -> Response:
        form = _form(request)
        try:
            found = await run_in_threadpool(search_documents, counter.reader, form, _modes(request))
        except LuutruError as error:  # a query that cannot be run, a filter that is not a date
            return counter.page(request, "search.html", 400, form=form, error=error.translated(in_vietnamese),
                                documents=[])
        if not form.empty:
            await run_in_threadpool(counter.record, request, "search", {
                **{name: value for name, value in vars(form).items() if value}, "total": found["total"],
                "documents": [[shown["file_id"], shown["first_page"]] for shown in found["documents"]],
                "withheld": [[shown["file_id"], shown["first_page"]] for shown in found["withheld"]]})
        return counter.page(request, "search.html", form=form, autofocus=form.empty, **found)

    async def document(request: Request) -> Response:
        form = _form(request)
        view = await run_in_threadpool(document_view, counter.reader, _number(request, "file_id"),
                                       _number(request, "first_page"), form, counter.exports, _modes(request))
        await run_in_threadpool(counter.record, request, "document", {
            "file_id": view["file_id"], "first_page": view["first_page"], "last_page": view["last_page"],
            "path": view["path"]})
        return counter.page(request, "document.html", form=form, document=view)

    async def image(request: Request) -> Response:
        width = request.query_params.get("w", "1200")
        path = await run_in_threadpool(page_image, counter.reader, _number(request, "file_id"),
                                       _number(request, "page"), int(width) if width.isdigit() else 1200,
                                       counter.cache, _modes(request))
        await run_in_threadpool(counter.record, request, "page", {"file_id": _number(request, "file_id"),
                                                                  "page": _number(request, "page")})
        return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})

    async def pdf(request: Request) -> Response:
        if counter.exports is None:
            raise NotFound(N_("no PDF/A folder yet (luutru serve --exports DIR)"))
        path = await run_in_threadpool(document_pdf, counter.reader, _number(request, "file_id"),
                                       _number(request, "first_page"), counter.exports, _modes(request))
        await run_in_threadpool(counter.record, request, "download", {
            "file_id": _number(request, "file_id"), "first_page": _number(request, "first_page"), "file": path.name})
        return FileResponse(path, media_type="application/pdf", filename=path.name)

    async def login_form(request: Request, error: str = "", status: int = 200) -> Response:
        # The browser's token is kept: its other requests (the favicon, a second tab) are sent here too, and a new
        # token each time would refuse the form it already shows.
        csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        response = counter.page(request, "login.html", status, back=False, csrf=csrf, error=error)
        set_cookie(request, response, CSRF_COOKIE, csrf)
        return response

    async def login(request: Request) -> Response:
        if request.method == "GET":
            return await login_form(request)
        form = await request.form()
        given, expected = str(form.get("csrf", "")), request.cookies.get(CSRF_COOKIE, "")
        if not (given and expected and _same(given, expected)):
            return await login_form(request, in_vietnamese(N_("The login form has expired; please log in again.")),
                                    403)
        name, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
        user = await run_in_threadpool(authenticate, counter.home.root, name, password)
        if user is None:
            await run_in_threadpool(counter.record, request, "login-failed", {"username": name})
            return await login_form(request, in_vietnamese(N_("Wrong user name or password, or the account is "
                                                              "locked.")), 401)
        key, session = await run_in_threadpool(counter.open_session, user)
        request.state.session = session
        await run_in_threadpool(counter.record, request, "login", {"role": user.role})
        response = RedirectResponse("/", status_code=303)
        set_cookie(request, response, SESSION_COOKIE, key, int(counter.token_hours * 3600))
        response.delete_cookie(CSRF_COOKIE)
        return response

    async def logout(request: Request) -> Response:
        session = getattr(request.state, "session", None)
        form = await request.form()
        if session is None or not _same(str(form.get("csrf", "")), session.csrf):
            raise HTTPException(403)
        await run_in_threadpool(counter.record, request, "logout", {})
        await run_in_threadpool(counter.close_session, request)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    async def failed(request: Request, error: Exception) -> Response:
        if isinstance(error, HTTPException):
            status, message = error.status_code, in_vietnamese(MESSAGES.get(error.status_code, MESSAGES[500]))
        elif isinstance(error, LuutruError):
            status, message = 404 if isinstance(error, NotFound) else 400, error.translated(in_vietnamese)
        else:
            reference = secrets.token_hex(4)
            log.exception("counter page: %s %s failed (reference %s)", request.method, request.url.path, reference)
            status, message = 500, in_vietnamese(N_("Something went wrong (reference {reference}, see luutru's "
                                                    "log)")).format(reference=reference)
        if status in (403, 404):  # an attempt on what does not exist or may not be read is a use too
            await run_in_threadpool(counter.record, request, "refused", {"path": request.url.path, "status": status})
        return Guard._secured(request, counter.page(request, "message.html", status,
                                                    title=in_vietnamese(MESSAGES[status]) if status in MESSAGES
                                                    else "", message=message))

    routes = [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", index),
        Route("/document/{file_id:int}/{first_page:int}", document),
        Route("/document/{file_id:int}/{first_page:int}/pdf", pdf),
        Route("/page/{file_id:int}/{page:int}.jpg", image),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(Guard, counter=counter)],
                    exception_handlers={Exception: failed, HTTPException: failed, LuutruError: failed})
    app.state.counter = counter
    return app
