"""The mutation report: terminal, JSON and HTML say the same, and the HTML is escaped."""
import io
import json

from rich.console import Console

from kerasgrade.mutation.mutate import EQUIVALENT, KILLED, SURVIVOR, ExerciseMutation, Outcome, Run
from kerasgrade.mutation.report import as_dict, html_section, print_report, write_outputs
from kerasgrade.result import GRADED, CheckResult, ExerciseResult

DIFF = ("--- solutions/ex01.py\n+++ activation/Net.__init__:self.out:relu\n@@ -1 +1 @@\n"
        '-        self.out = Dense(3, activation="softmax")\n+        self.out = Dense(3, activation="relu")\n')


def a_run() -> Run:
    ref = ExerciseResult("reference", "ex01", GRADED, (CheckResult("shape", "Shape", "k", 1, 1, True),
                                                      CheckResult("never", "Never <b>", "k", 1, 1, True)))
    v = ExerciseMutation("ex01", [{"name": "shape", "title": "Shape", "hidden": False},
                                  {"name": "never", "title": "Never <b>", "hidden": True}], ref)
    v.outcomes = [
        Outcome("super_drop/Net.__init__", "super_drop", "no super", "h1", KILLED, ("shape",)),
        Outcome("activation/Net.__init__:self.out:relu", "activation", "`self.out` uses <script>relu</script>",
                "h2", SURVIVOR, (), ("shape",), diff=DIFF),
        Outcome("training_arg/Net.call:self.drop:drop", "training_arg", "no training=", "h3", EQUIVALENT,
                reason="the same outputs", diff="--- a\n+++ b\n"),
    ]
    return Run([v], 3, 6.0)


def test_the_json_holds_the_score_the_kills_per_check_and_each_survivors_diff():
    data = as_dict(a_run())
    [ex] = data["exercises"]
    assert ex["score"] == 0.5 and ex["counts"][SURVIVOR] == 1 and ex["counts"][KILLED] == 1
    assert ex["checks"] == [{"name": "shape", "title": "Shape", "hidden": False, "kills": 1, "only": 1},
                            {"name": "never", "title": "Never <b>", "hidden": True, "kills": 0, "only": 0}]
    survivor = next(m for m in ex["mutants"] if m["status"] == SURVIVOR)
    assert survivor["diff"] == DIFF and survivor["differs"] == ["shape"]
    assert next(m for m in ex["mutants"] if m["status"] == KILLED)["diff"] == ""  # killed: no diff kept
    assert data["mutants_per_minute"] == 30.0


def test_the_terminal_report_shows_the_score_the_checks_and_the_survivor_with_its_diff():
    buf = io.StringIO()
    print_report(a_run(), Console(file=buf, width=160, color_system=None))
    text = buf.getvalue()
    assert "0.50 (50%)" in text and "never (hidden)" in text
    assert "survivor ex01 activation/Net.__init__:self.out:relu" in text
    assert '+        self.out = Dense(3, activation="relu")' in text
    assert "saw another output and passed: shape" in text
    assert "<script>relu</script>" in text  # printed as text, not read as markup


def test_the_html_section_escapes_what_the_mutants_and_checks_say():
    html = html_section(a_run())
    assert html.lstrip().startswith('<section class="kg-mutation">')
    assert "<script>" not in html and "&lt;script&gt;relu&lt;/script&gt;" in html
    assert 'title="Never &lt;b&gt;"' in html
    assert '<span class="kg-add">+        self.out = Dense(3, activation=&#34;relu&#34;)</span>' in html


def test_the_outputs_are_the_json_and_a_standalone_page_holding_the_section(tmp_path):
    json_path, html_path = write_outputs(a_run(), tmp_path, title="Course <1>")
    assert json.loads(json_path.read_text()) == json.loads(json.dumps(as_dict(a_run())))
    page = html_path.read_text()
    assert "<title>Course &lt;1&gt;: mutation report</title>" in page
    assert html_section(a_run()) in page
    assert html_section(json.loads(json_path.read_text())) == html_section(a_run())  # from the JSON too
