"""report.html as an instructor sees it: rendered by a real browser (headless Chromium)."""
import re
import shutil
import subprocess

import pytest

from kerasgrade.reports.html import write_report

from .books import sample_book

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH: install Debian's `chromium` "
                                "package (apt-get install -y chromium) to render report.html in a real browser")


def chromium(tmp_path, *args) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"  # a fresh profile each run: no state leaks between runs
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                           "--no-first-run", "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return write_report(sample_book(), tmp_path_factory.mktemp("out"), title="Keras Model Subclassing")


def test_the_browser_sees_the_figures_and_the_student_table(tmp_path, report):
    dom = chromium(tmp_path, "--dump-dom", report.as_uri()).stdout
    assert len(re.findall(r'<img alt="[^"]*" src="data:image/png;base64,', dom)) >= 4
    rows = re.search(r'<table class="sortable" id="students">.*?<tbody>(.*?)</tbody>', dom, re.S).group(1)
    assert [re.sub("<.*?>", "", s) for s in re.findall(r"<tr><td[^>]*>(.*?)</td>", rows)] == \
        ["alice", "bob", "carol", "dave"]
    assert "<details id=\"fb-bob\">" in dom


def test_the_screenshot_is_not_blank(tmp_path, report):
    from PIL import Image, ImageStat

    shot = tmp_path / "report.png"
    proc = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri())
    assert shot.exists(), proc.stderr[-2000:]
    image = Image.open(shot).convert("L")
    assert image.size == (1280, 2000)
    assert ImageStat.Stat(image).stddev[0] > 10  # text and figures, not one flat colour
    assert len(image.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50


def test_a_link_to_a_student_opens_their_feedback(tmp_path, report):
    dom = chromium(tmp_path, "--dump-dom", report.as_uri() + "#fb-bob").stdout
    assert re.search(r'<details id="fb-bob" open="">', dom), "the inline script did not open the feedback"
    assert '<details id="fb-alice">' in dom
