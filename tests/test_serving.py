"""pb.serving: gunicorn's settings."""

import gc

import pytest

from pb import serving


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_worker_leaves_the_objects_of_its_loaded_app_to_no_collection(unfrozen, app):
    assert gc.get_freeze_count() == 0

    serving.post_worker_init(worker=None)

    assert gc.get_freeze_count() > 10_000
    assert not any(o is app for o in gc.get_objects())  # no longer among what it collects


def test_gunicorn_takes_the_hook_from_the_module_the_readme_names():
    from gunicorn.app.wsgiapp import WSGIApplication
    from gunicorn.config import Config

    application = WSGIApplication.__new__(WSGIApplication)  # without parsing pytest's argv
    application.cfg = Config()
    application.load_config_from_module_name_or_filename("python:pb.serving")

    assert application.cfg.post_worker_init is serving.post_worker_init
