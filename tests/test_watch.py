"""``check --watch``: a save that changed the file is checked again, once; nothing else is."""
import threading
import time

from kerasgrade.commands.check import contents_stamp, watch


def watching(path, saves):
    """Run ``watch`` on ``path`` while ``saves()`` edits it; the number of checks it ran."""
    stop = threading.Event()
    seen = []
    t = threading.Thread(target=lambda: seen.append(
        watch(path, lambda: None, poll=0.01, keep_going=lambda: not stop.is_set())))
    t.start()
    time.sleep(0.05)
    saves()
    time.sleep(0.2)
    stop.set()
    t.join(5)
    return seen[0]


def test_a_file_is_checked_once_at_the_start_and_once_per_save_that_changed_it(tmp_path):
    f = tmp_path / "ex01.py"
    f.write_text("a = 1\n")

    def two_saves_and_one_unchanged():
        for text in ("a = 2\n", "a = 2\n", "a = 3\n"):
            f.write_text(text)
            time.sleep(0.15)

    assert watching(f, two_saves_and_one_unchanged) == 3


def test_a_file_missing_for_a_moment_during_an_atomic_save_is_not_checked_while_missing(tmp_path):
    f = tmp_path / "ex01.py"
    f.write_text("a = 1\n")

    def remove_then_save_the_same():
        f.unlink()
        time.sleep(0.1)
        f.write_text("a = 1\n")

    assert contents_stamp(tmp_path / "nothing.py") is None
    assert watching(f, remove_then_save_the_same) == 1
