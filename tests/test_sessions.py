"""pb's session cookies (pb.sessions) are Flask's own, signed with machinery built once: the same
cookies read both ways, tampering and unknown keys refused, rotated keys honoured."""

from flask.sessions import SecureCookieSessionInterface

from pb.sessions import CookieSessionInterface


def cookie(app, interface, data):
    return interface.get_signing_serializer(app).dumps(data)


def opened(app, interface, value):
    environ = {"HTTP_COOKIE": f"{app.config['SESSION_COOKIE_NAME']}={value}"}
    with app.test_request_context("/", environ_base=environ) as context:
        return dict(interface.open_session(app, context.request))


def test_pb_and_flask_read_each_others_cookies(app):
    data = {"csrf_token": "abc", "receipt": {"number": "ACDEF-GHJKM", "replaced": False}}
    ours, flasks = CookieSessionInterface(), SecureCookieSessionInterface()
    assert opened(app, flasks, cookie(app, ours, data)) == data
    assert opened(app, ours, cookie(app, flasks, data)) == data
    # Again, now that ours keeps its serializer and signer: the same answers.
    assert opened(app, ours, cookie(app, ours, data)) == data
    assert opened(app, flasks, cookie(app, ours, data)) == data


def test_a_tampered_cookie_opens_an_empty_session(app):
    ours = CookieSessionInterface()
    value = cookie(app, ours, {"_user_id": "1"})
    _payload, timestamp, signature = value.rsplit(".", 2)
    forged = cookie(app, ours, {"_user_id": "2"}).rsplit(".", 2)[0]
    assert opened(app, ours, f"{forged}.{timestamp}.{signature}") == {}
    assert opened(app, ours, value[:-2] + ("AA" if not value.endswith("AA") else "BB")) == {}


def test_rotated_keys_are_honoured_and_dropped_keys_refused(app):
    ours = CookieSessionInterface()
    old = cookie(app, ours, {"csrf_token": "old"})

    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    app.secret_key = app.config["SECRET_KEY"] = "the-new-secret"
    assert opened(app, ours, old) == {"csrf_token": "old"}  # signed with a fallback
    new = cookie(app, ours, {"csrf_token": "new"})
    assert opened(app, SecureCookieSessionInterface(), new) == {"csrf_token": "new"}

    app.config["SECRET_KEY_FALLBACKS"] = []
    assert opened(app, ours, old) == {}  # that key is gone
    assert opened(app, ours, new) == {"csrf_token": "new"}


def test_short_sessions_are_written_plain_and_long_ones_compressed_as_flask_does(app):
    ours, flasks = CookieSessionInterface(), SecureCookieSessionInterface()
    short = {"csrf_token": "0123456789abcdef" * 2, "receipt": {"number": "ACDEF-GHJKM-NPQR"}}
    long = {"_flashes": [["info", "Your ballot is saved. " * 40]]}
    short_cookie, long_cookie = cookie(app, ours, short), cookie(app, ours, long)
    assert not short_cookie.startswith(".")  # zlib's marker
    assert long_cookie.startswith(".") and len(long_cookie) < 300
    for value, data in ((short_cookie, short), (long_cookie, long)):
        assert opened(app, flasks, value) == opened(app, ours, value) == data
