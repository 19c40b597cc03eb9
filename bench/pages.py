"""Page weight and SQL statements per page, with few and with many proposals.

Run: .venv/bin/python bench/pages.py   (from the repository root)
Prints one line per page and size, then a summary line:
    home_kb=X max_page_kb=Y queries_10=... queries_200=... query_ratio=Z
The targets (issue 2): the home page with all it loads under 50 KB; the same number of queries
whatever the number of proposals (ratio 1.0).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pb import create_app
from pb.extensions import db
from pb.models import Proposal
from tests import factories


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            }
        )
        with app.app_context():
            db.create_all()
            world = factories.build_world()
            consultation_id = world.consultation.id
            officer = world.officer
        statements: list[str] = []
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        pages = {
            "home": "/",
            "municipality": "/m/ak-suu",
            "consultation": f"/c/{consultation_id}",
            "proposals": f"/c/{consultation_id}/proposals",
            "review queue": f"/c/{consultation_id}/review",
        }
        css = app.test_client().get("/static/pb.css")
        css_size = len(css.data)
        css.close()
        results: dict[int, dict[str, tuple[int, int, float]]] = {}
        for total in (10, 200):
            with app.app_context():
                have = db.session.scalar(select(func.count()).select_from(Proposal))
                c = db.session.get(type(world.consultation), consultation_id)
                for i in range(total - have):
                    factories.make_proposal(c, title=f"Proposal {i}")
            client = app.test_client()
            with client.session_transaction() as session, app.app_context():
                session["_user_id"] = db.session.merge(officer).get_id()
            results[total] = {}
            for name, url in pages.items():
                timings = []
                for _ in range(15):
                    statements.clear()
                    started = time.perf_counter()
                    response = client.get(url, headers={"Accept-Language": "ru"})
                    timings.append(time.perf_counter() - started)
                    assert response.status_code == 200, (url, response.status_code)
                results[total][name] = (
                    len(response.data),
                    len(statements),
                    statistics.median(timings),
                )
                print(
                    f"{name:13} proposals={total:4} html={len(response.data) / 1024:5.1f} KB "
                    f"+css={css_size / 1024:4.1f} KB queries={len(statements):2} "
                    f"median={statistics.median(timings) * 1000:6.1f} ms"
                )
        home_kb = (results[200]["home"][0] + css_size) / 1024
        max_kb = max(size + css_size for size, _, _ in results[200].values()) / 1024
        q10 = [results[10][n][1] for n in pages]
        q200 = [results[200][n][1] for n in pages]
        ratio = max(b / a for a, b in zip(q10, q200, strict=False))
        print(
            f"home_kb={home_kb:.1f} max_page_kb={max_kb:.1f} queries_10={q10} "
            f"queries_200={q200} query_ratio={ratio:.2f}"
        )


if __name__ == "__main__":
    main()
