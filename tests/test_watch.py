"""``check --watch``: a save that changed the file is checked again, once; nothing else is."""
import threading
import time

from kerasgrade.commands.check import contents_stamp, watch

from .conftest import StandInZygote


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


class ThreadBoundZygote(StandInZygote):
    """A stand-in zygote that, like a real one (``PR_SET_PDEATHSIG``), is dead once the thread that
    started it has ended; ``crash`` kills it as a hostile submission would."""
    started: list = []

    def __init__(self):
        super().__init__("ex01_first_model")
        self.thread = threading.current_thread()
        self.crashed = False
        ThreadBoundZygote.started.append(self)

    def dies(self, job) -> bool:
        return self.crashed or not self.thread.is_alive()


def test_after_a_crash_the_next_recheck_runs_on_a_warm_zygote_started_by_the_watching_thread(
        tmp_path, monkeypatch, course):
    from kerasgrade.discover import Submission
    from kerasgrade.engine.pool import Pool
    from kerasgrade.job import PoolItem

    monkeypatch.setattr(Pool, "_zygote", lambda self: ThreadBoundZygote())
    ThreadBoundZygote.started = []
    file = tmp_path / "ex01_first_model.py"
    file.write_text("x = 1\n")
    pool = Pool(course, jobs=1, exercises=["ex01_first_model"])
    results = []

    def check():
        pool.run([PoolItem(Submission("you", "ex01_first_model", file), 0)], lambda _, r: results.append(r))
        pool.refill_kept()  # what check_once does after each check
        return len(ThreadBoundZygote.started)

    with pool.kept():
        assert check() == 1  # the kept zygote, started here
        ThreadBoundZygote.started[0].crashed = True
        assert check() == 3  # the crash: a worker thread's zygote grades it, then one is kept again
        assert ThreadBoundZygote.started[2].thread is threading.current_thread()
        assert check() == check() == 3  # and later re-checks start nothing
    assert [r.status for r in results] == ["graded"] * 4
