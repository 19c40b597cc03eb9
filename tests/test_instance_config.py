"""`make run`'s instance/config.py: both keys for a new machine; a VOTE_KEY added to a file an
older version wrote, with its SECRET_KEY still accepted for the slips it printed."""

import os
import runpy
import stat

from pb.instance_config import complete


def test_a_new_file_gets_both_keys_readable_by_its_owner_only(tmp_path):
    path = str(tmp_path / "instance" / "config.py")
    complete(path)
    settings = runpy.run_path(path)
    assert len(settings["SECRET_KEY"]) == 64 and len(settings["VOTE_KEY"]) == 64
    assert settings["SECRET_KEY"] != settings["VOTE_KEY"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_an_older_file_gets_a_vote_key_and_keeps_its_slips_working(tmp_path):
    path = tmp_path / "config.py"
    path.write_text('SECRET_KEY = "the key the slips were printed with"\n')
    assert "VOTE_KEY added" in complete(str(path))
    settings = runpy.run_path(str(path))
    assert settings["SECRET_KEY"] == "the key the slips were printed with"
    assert settings["VOTE_KEY"] not in ("", settings["SECRET_KEY"])
    # The value itself, so a later change of SECRET_KEY does not change the older vote key.
    assert settings["VOTE_KEY_FALLBACKS"] == ["the key the slips were printed with"]
    assert "VOTE_KEY_FALLBACKS = ['the key the slips were printed with']" in path.read_text()
    # Run again (every `make run`), it changes nothing.
    before = path.read_text()
    assert "has a VOTE_KEY" in complete(str(path))
    assert path.read_text() == before
