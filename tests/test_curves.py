"""A failed convergence check shows the learner's loss curve beside the reference's, as a PNG."""
import json
import subprocess
import sys
import textwrap

import pytest

from kerasgrade.commands.check import learner_curves
from kerasgrade.discover import STUDENT_ID
from kerasgrade.job import REFERENCE, STUDENT, PoolItem
from kerasgrade.references import REFERENCE_STUDENT, References
from kerasgrade.reports.curves import loss_curve_figures, save_pngs
from kerasgrade.reports.feedback import feedback_text, write_feedback
from kerasgrade.reports.figures import render
from kerasgrade.result import ERROR, failed_curves

from .books import LEARNER_LOSS, REFERENCE_LOSS, result, sample_book
from .conftest import ROOT

PNG = b"\x89PNG\r\n\x1a\n"
EX = "ex01_first_model"

# Trains without error but cannot learn: the inputs are multiplied by zero.
ZEROED_INPUTS = textwrap.dedent('''
    import tensorflow as tf


    class SimpleMLP(tf.keras.Model):
        def __init__(self, hidden_units=32, num_classes=3, **kwargs):
            super().__init__(**kwargs)
            self.hidden = tf.keras.layers.Dense(hidden_units, activation="relu")
            self.classifier = tf.keras.layers.Dense(num_classes, activation="softmax")

        def call(self, inputs):
            return self.classifier(self.hidden(inputs * 0.0))
''')


class NoPool:
    def run(self, items, on_result):
        raise AssertionError("nothing should be graded")


def reference_of(exercise=EX):
    return result(REFERENCE_STUDENT, exercise, training_loss=REFERENCE_LOSS)


def item(purpose=REFERENCE, student=REFERENCE_STUDENT):
    from kerasgrade.discover import Submission

    return PoolItem(Submission(student, EX, None), 0, True, purpose=purpose)


def test_the_reference_id_can_never_be_a_students():
    assert not STUDENT_ID.match(REFERENCE_STUDENT)


def test_only_failed_training_checks_with_a_curve_get_a_picture():
    assert [c.name for c in failed_curves(result("s", fail=("learns_blobs",)))] == ["learns_blobs"]
    assert failed_curves(result("s", fail=("binds_layers",))) == []


def test_a_reference_is_graded_once_then_read_from_the_cache(course, tmp_path):
    refs = References(course, tmp_path)
    book = sample_book()  # bob failed learns_blobs on ex01
    (queued,) = refs.items(book=book)
    sub = queued.submission
    assert (sub.exercise, sub.path, queued.purpose) == (EX, course.exercise(EX).solution, REFERENCE)
    assert refs.take(queued, reference_of()) and not refs.take(item(STUDENT, "alice"), result("alice"))
    assert refs.items(book=book) == []
    again = References(course, tmp_path)  # a later run
    assert again.items(book=book) == [] and again.curve(EX, "learns_blobs") == REFERENCE_LOSS


def test_a_changed_solution_or_grader_invalidates_the_cache(course, tmp_path):
    refs = References(course, tmp_path)
    refs.take(item(), reference_of())
    saved = json.loads((tmp_path / f"{EX}.json").read_text())
    saved["key"] = "0" * 64
    (tmp_path / f"{EX}.json").write_text(json.dumps(saved))
    assert References(course, tmp_path).get(EX) is None


def test_a_crashed_reference_is_not_cached(course, tmp_path):
    refs = References(course, tmp_path)
    assert refs.take(item(), result(REFERENCE_STUDENT, status=ERROR, message="worker died"))
    assert refs.get(EX) is None and not (tmp_path / f"{EX}.json").exists()


def test_references_are_queued_for_the_exercises_being_graded(course, tmp_path):
    from kerasgrade.discover import Submission

    todo = [PoolItem(Submission("a", EX, ROOT / "x.py"), 0), PoolItem(Submission("b", EX, None), 0)]
    assert [i.submission.exercise for i in References(course, tmp_path).items(todo)] == [EX]
    assert References(course, tmp_path).items([PoolItem(Submission("b", EX, None), 0)]) == []


def write_loss_curves(book, refs, folder, jobs=1):
    names, calls = loss_curve_figures(book, refs, folder)
    save_pngs(render(calls, jobs))
    return names


def test_feedback_names_the_png_drawn_beside_it(course, tmp_path):
    refs = References(course, tmp_path / "reference")
    refs.take(item(), reference_of())
    book = sample_book()
    pictures = write_loss_curves(book, refs, tmp_path / "feedback")
    assert pictures == {("bob", EX): {"learns_blobs": f"bob.{EX}.learns_blobs.png"}}
    assert (tmp_path / "feedback" / f"bob.{EX}.learns_blobs.png").read_bytes().startswith(PNG)
    write_feedback(book, tmp_path / "feedback", pictures)
    text = (tmp_path / "feedback" / "bob.txt").read_text()
    assert f"Your loss curve beside the reference's: bob.{EX}.learns_blobs.png" in text
    assert "loss curve" not in feedback_text(book, "alice", pictures)


def test_a_class_s_curves_are_drawn_in_parallel_alike(course, tmp_path):
    refs = References(course, tmp_path / "reference")
    refs.take(item(), reference_of())
    failing = {f"s{i}": result(f"s{i}", fail=("learns_blobs",), training_loss=LEARNER_LOSS) for i in range(5)}
    book = sample_book()
    book.results.update({(s, EX): r for s, r in failing.items()})
    one, two = (write_loss_curves(book, refs, tmp_path / f"jobs{j}", jobs=j) for j in (1, 2))
    assert one == two and set(failing) < {s for s, _ in two}
    for names in two.values():
        for name in names.values():
            assert (tmp_path / "jobs2" / name).read_bytes() == (tmp_path / "jobs1" / name).read_bytes()


def test_check_draws_beside_the_learners_file_without_grading_a_cached_reference(course, tmp_path):
    References(course, tmp_path / "cache").take(item(), reference_of())
    r = result("you", fail=("learns_blobs",), training_loss=LEARNER_LOSS)
    r = type(r)(**{**r.__dict__, "file": str(tmp_path / "work" / f"{EX}.py")})
    (tmp_path / "work").mkdir()
    paths = learner_curves(course, NoPool(), r, cache=tmp_path / "cache")
    assert paths == {"learns_blobs": str(tmp_path / "work" / "kerasgrade-plots" / f"{EX}.learns_blobs.png")}
    assert learner_curves(course, NoPool(), result("you"), cache=tmp_path / "cache") == {}


@pytest.mark.slow
def test_kerasgrade_check_prints_where_the_loss_curve_is(tmp_path):
    sub = tmp_path / f"{EX}.py"
    sub.write_text(ZEROED_INPUTS)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "kerasgrade", "check", str(sub)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    png = tmp_path / "kerasgrade-plots" / f"{EX}.learns_separable_blobs.png"
    assert f"Your loss curve beside the reference's: {png}" in proc.stdout, proc.stdout + proc.stderr
    assert png.read_bytes().startswith(PNG)
    assert list((tmp_path / "cache" / "kerasgrade" / "reference").glob(f"{EX}.json"))  # graded once, cached


@pytest.mark.slow
def test_kerasgrade_grade_puts_the_curve_in_feedback_and_the_report(tmp_path):
    (tmp_path / "class" / "zoe").mkdir(parents=True)
    (tmp_path / "class" / "zoe" / f"{EX}.py").write_text(ZEROED_INPUTS)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "kerasgrade", "grade", str(tmp_path / "class"), "--out", str(out),
                           "--jobs", "1", "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    png = out / "feedback" / f"zoe.{EX}.learns_separable_blobs.png"
    assert png.read_bytes().startswith(PNG)
    assert png.name in (out / "feedback" / "zoe.txt").read_text()
    assert (out / "reference" / f"{EX}.json").exists() and not (out / "results" / REFERENCE_STUDENT).exists()
    assert "fb-zoe" in (out / "report.html").read_text()
