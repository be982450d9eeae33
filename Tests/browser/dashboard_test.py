"""The dashboard in a real browser: headless Chromium driven by Selenium against a live
`visionmix serve` (started by scripts/browser-test.sh over a store seeded with the paper's
results and the shipped calibration data, with a bearer token set).

Each check compares what the page shows with what the JSON API answers for the same
question, so a page that draws stale, rounded-wrong or made-up numbers fails. Screenshots of
every page, at 1280x800 and in a narrow window, go to the directory given as the second
argument.

    python3 Tests/browser/dashboard_test.py BASE_URL SCREENSHOT_DIR   (token in VISIONMIX_TOKEN)
"""
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE, SHOTS = sys.argv[1].rstrip("/"), sys.argv[2]
TOKEN = os.environ.get("VISIONMIX_TOKEN", "")
WIDE, NARROW = (1280, 800), (420, 860)
SWEEP_SECONDS = float(os.environ.get("VISIONMIX_BROWSER_SWEEP_SECONDS", "900"))
checks = []


def check(ok, what):
    checks.append(what)
    if not ok:
        raise AssertionError(what)
    print(f"  ok  {what}")


def api(method, path, body=None, token=TOKEN):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def browser():
    opts = webdriver.ChromeOptions()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--lang=en-US",
              f"--window-size={WIDE[0]},{WIDE[1]}"]:
        opts.add_argument(a)
    opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    d = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=opts)
    d.set_window_size(*WIDE)
    return d


def wait(d, cond, what, seconds=60):
    try:
        return WebDriverWait(d, seconds, poll_frequency=0.2).until(lambda d: cond(d))
    except Exception:
        errors = [e.text for e in d.find_elements(By.CSS_SELECTOR, ".status.error")]
        raise AssertionError(f"timed out waiting for {what}; page errors: {errors}")


def text(d, css):
    return d.find_element(By.CSS_SELECTOR, css).text


def no_page_errors(d, where):
    errors = [e.text for e in d.find_elements(By.CSS_SELECTOR, ".status.error") if e.text]
    check(not errors, f"{where}: no error shown ({errors})")


def every_control_labelled(d, where):
    unlabelled = d.execute_script("""
        return [...document.querySelectorAll('input, select, textarea')]
          .filter(e => e.type !== 'hidden' && e.getAttribute('aria-hidden') !== 'true' && e.labels.length === 0)
          .map(e => e.id || e.outerHTML.slice(0, 60));""")
    check(not unlabelled, f"{where}: every control has a <label> ({unlabelled})")


def shoot(d, name, narrow_too=True, scroll_to=None):
    """Viewport screenshots at 1280x800 and in a narrow window; the page must not scroll sideways."""
    for tag, size in [("", WIDE)] + ([("-narrow", NARROW)] if narrow_too else []):
        d.set_window_size(*size)
        time.sleep(0.4)
        if scroll_to:
            d.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'start'})", scroll_to)
        else:
            d.execute_script("window.scrollTo(0, 0)")
        d.execute_script("document.querySelectorAll('.table-wrap').forEach(e => { e.scrollLeft = 0; })")
        time.sleep(0.2)
        over = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        check(over <= 1, f"{name}{tag}: no sideways scrolling at {size[0]} px (overflow {over} px)")
        path = os.path.join(SHOTS, f"{name}{tag}.png")
        d.save_screenshot(path)
    d.set_window_size(*WIDE)


def set_token(d):
    d.get(BASE + "/planner")
    box = wait(d, lambda d: d.find_element(By.ID, "api-token"), "the token field")
    box.clear()
    if TOKEN:
        box.send_keys(TOKEN)
    check(d.execute_script("return sessionStorage.getItem('visionmix-token') || ''") == TOKEN, "the token is kept in sessionStorage")


def drag(d, slider, dx):
    """Grabs the slider's thumb where it is (not the track's middle) and moves it by dx pixels."""
    width, value = slider.size["width"], float(slider.get_attribute("value"))
    thumb = 16
    x = round(value / 100 * (width - thumb) + thumb / 2 - width / 2)
    ActionChains(d).move_to_element_with_offset(slider, x, 0).click_and_hold().move_by_offset(dx, 0).release().perform()


def predictions_shown(d):
    rows = d.find_elements(By.CSS_SELECTOR, "#predictions tbody tr")
    out = {}
    for r in rows:
        c = r.get_attribute("data-category")
        out[c] = {"value": r.find_element(By.CSS_SELECTOR, ".pred-value").text,
                  "interval": r.find_element(By.CSS_SELECTOR, ".pred-interval").text,
                  "extrapolated": "extrapolated" in r.text}
    return out


def compare_predictions(d, where):
    """The table must show exactly what POST /v1/predict answers for the mixture the page sent."""
    spec = text(d, "#mix-spec")
    wait(d, lambda d: d.find_element(By.ID, "pred-context").get_attribute("data-mix") == spec, f"{where}: predictions for {spec}")
    source = Select(d.find_element(By.ID, "source")).first_selected_option.get_attribute("value")
    query = {"source": source, "mix": spec, "params": d.find_element(By.ID, "params").get_attribute("value"),
             "tokens": d.find_element(By.ID, "tokens").get_attribute("value")}
    truth = api("POST", "/v1/predict", query)
    shown = predictions_shown(d)
    check(set(shown) == set(truth["scores"]), f"{where}: one row per fitted category ({sorted(shown)})")
    for c, p in truth["scores"].items():
        s = shown[c]
        check(s["value"] == f"{p['value']:.2f}", f"{where}: {c} shows {s['value']}, the API {p['value']:.4f}")
        check(s["interval"] == f"{p['low']:.2f} – {p['high']:.2f}", f"{where}: {c} interval {s['interval']}")
        check(s["extrapolated"] == p["extrapolated"], f"{where}: {c} marked extrapolated = {p['extrapolated']}")
    return spec, truth


def planner_shares(d):
    print("planner, a source whose laws read shares (paper)")
    d.get(BASE + "/planner?source=paper")
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#predictions tbody tr"), "the first predictions")
    sliders = d.find_elements(By.CSS_SELECTOR, "#sliders input[type=range]")
    check([s.get_attribute("data-source") for s in sliders] == ["reasoning", "visual", "other"], "two share sliders and the rest")
    before = text(d, "#mix-spec")
    drag(d, sliders[0], -12)
    wait(d, lambda d: text(d, "#mix-spec") != before, "the mixture to change after the drag")
    outs = [float(o.text.rstrip("%")) for o in d.find_elements(By.CSS_SELECTOR, "#sliders output")]
    check(abs(sum(outs) - 100) < 1e-9, f"shares sum to 100% after the drag ({outs})")
    spec, truth = compare_predictions(d, "paper")
    r, v = [float(x.split("=")[1]) for x in spec.split(",")]
    check(abs(r * 100 - outs[0]) < 1e-9 and abs(v * 100 - outs[1]) < 1e-9, f"the spec sent ({spec}) is what the sliders show")
    check(abs(truth["reasoning_share"] - r) < 1e-9, "the API read the same reasoning share")
    every_control_labelled(d, "planner")
    no_page_errors(d, "planner")
    shoot(d, "planner")


def planner_weights_and_recommend(d):
    print("planner, a source whose laws read six source weights (xl_mix); recommend")
    d.get(BASE + "/planner?source=xl_mix")
    wait(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#sliders input[type=range]")) == 6, "six source sliders")
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#predictions tbody tr"), "the first predictions")
    code = d.find_element(By.ID, "mix-code")
    before = code.get_attribute("value")
    drag(d, code, 6)
    wait(d, lambda d: d.find_element(By.ID, "mix-code").get_attribute("value") != before, "the code slider to move")
    outs = [round(float(o.text.rstrip("%")) * 10) for o in d.find_elements(By.CSS_SELECTOR, "#sliders output")]
    check(sum(outs) == 1000, f"six weights sum to 100.0% ({[o / 10 for o in outs]})")
    spec, _ = compare_predictions(d, "xl_mix")
    check(f"code={float(d.find_element(By.ID, 'mix-code').get_attribute('value')):.1f}" in spec, f"the spec carries the moved code weight ({spec})")

    base = api("POST", "/v1/predict", {"source": "xl_mix", "mix": "language_favorable"})["scores"]["text_acc"]["value"]
    floor = f"text_acc>={base - 0.3:.1f}"
    d.find_element(By.ID, "constraints").send_keys(floor)
    d.find_element(By.ID, "recommend").click()
    wait(d, lambda d: text(d, "#rec-status").startswith("done"), "the recommendation", 240)
    sent = json.loads(d.find_element(By.ID, "rec-request").get_attribute("textContent"))
    check(sent["constraints"] == [floor] and sent["export"] is True, f"the form sent the constraint {floor}")
    truth = api("POST", "/v1/recommend", sent)
    for row in d.find_elements(By.CSS_SELECTOR, "#recipe-weights tbody tr"):
        s = row.get_attribute("data-source")
        cell = row.find_element(By.CSS_SELECTOR, ".recipe-weight")
        w = truth["weights"][s]
        check(abs(float(cell.get_attribute("data-weight")) - w) < 1e-12 and cell.text == f"{100 * w:.2f}%",
              f"recipe weight of {s}: page {cell.text}, API {100 * w:.4f}%")
    check(text(d, "#recipe-objective") == f"{truth['objective']} = {truth['objective_value']:.2f}", "the recipe's objective value")
    b = truth["baseline"]
    check(f"margin {'+' if b['margin'] >= 0 else ''}{b['margin']:.3f}" in text(d, "#recipe-margin"), f"the margin over {b['name']}")
    prob = text(d, "#recipe-probability")
    check(prob.startswith(f"{100 * b['probability_better']:.0f}%"), f"the probability over the baseline ({prob})")
    check(text(d, "#recipe-binding") == (", ".join(truth["binding"]) or "none"), f"binding constraints ({truth['binding']})")
    check(len(d.find_elements(By.CSS_SELECTOR, "#pareto .pareto-point")) == len(truth["pareto"]), f"{len(truth['pareto'])} Pareto points drawn")
    check(len(d.find_elements(By.CSS_SELECTOR, "#pareto .pareto-recipe")) == 1 and len(d.find_elements(By.CSS_SELECTOR, "#pareto .pareto-baseline")) == 1,
          "the recipe and the baseline marked on the front")
    for fmt in ["yaml", "json", "megatron"]:
        d.find_element(By.ID, "copy-" + fmt).click()
        wait(d, lambda d: d.find_element(By.ID, "export-text").get_attribute("textContent") == truth["exports"][fmt], f"the {fmt} export shown")
        check(True, f"Copy {fmt} holds the API's export (recommend --format {fmt})")
    every_control_labelled(d, "planner with a recipe")
    no_page_errors(d, "planner with a recipe")
    shoot(d, "planner-recipe", scroll_to="#recipe")

    runs = d.find_element(By.ID, "design-runs")
    runs.clear()
    runs.send_keys("3")
    d.find_element(By.ID, "design").click()
    wait(d, lambda d: text(d, "#design-status").startswith("done"), "the next runs", 240)
    sent = json.loads(d.find_element(By.ID, "design-request").get_attribute("textContent"))
    check(sent["runs"] == 3 and sent["strategy"] == "space-filling" and "export" not in sent and sent["constraints"] == [floor],
          "the design form sent the recommend form's request, 3 runs, space-filling")
    design = api("POST", "/v1/design", sent)
    reasons = [li.text for li in d.find_elements(By.CSS_SELECTOR, "#design-reasons li")]
    check(reasons == [r["reason"] for r in design["runs"]], f"the page lists the API's {len(design['runs'])} runs with their reasons")
    check(len(d.find_elements(By.CSS_SELECTOR, "#design-table tbody tr")) == 3, "a table row per run")
    no_page_errors(d, "planner with next runs")
    shoot(d, "planner-next-runs", scroll_to="#design-h")


def planner_refit(d):
    print("planner, calibration: a recipe from the objective's law refitted near its recipe")
    d.get(BASE + "/planner?source=calibration")
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#predictions tbody tr"), "the first predictions")
    d.find_element(By.ID, "recommend").click()
    wait(d, lambda d: text(d, "#rec-status").startswith("done"), "the recommendation from the stored law", 240)
    plain_sent = json.loads(d.find_element(By.ID, "rec-request").get_attribute("textContent"))
    plain = api("POST", "/v1/recommend", plain_sent)
    check("local_bandwidth" not in plain_sent, "unchecked, the form asks for no refit")
    d.find_element(By.ID, "refit-near").click()
    d.execute_script("document.getElementById('rec-status').textContent = ''")  # so the first recipe's "done" is not read again
    d.find_element(By.ID, "recommend").click()
    wait(d, lambda d: text(d, "#rec-status").startswith("done"), "the recommendation from the refit", 240)
    sent = json.loads(d.find_element(By.ID, "rec-request").get_attribute("textContent"))
    check(sent == dict(plain_sent, local_bandwidth=0.15), f"checked, the form sends local_bandwidth 0.15 ({sent.get('local_bandwidth')})")
    fit = next(f for f in api("GET", "/v1/fits?source=calibration") if f["category"] == "vqa_avg")
    centre = (fit.get("local") or {}).get("centre") or {}
    check(fit["local"]["bandwidth"] == 0.15 and abs(centre.get("reasoning_share", -1) - plain["reasoning_share"]) < 1e-12
          and abs(centre.get("visual_share", -1) - plain["visual_share"]) < 1e-12,
          f"the stored vqa_avg law was refitted near the recipe of the law before it ({centre})")
    # The stored law is the refit now: the plain request reproduces the page's recipe.
    truth = api("POST", "/v1/recommend", plain_sent)
    check(text(d, "#recipe-objective") == f"{truth['objective']} = {truth['objective_value']:.2f}", "the page shows the refitted law's recipe")
    check(abs(truth["reasoning_share"] - plain["reasoning_share"]) + abs(truth["visual_share"] - plain["visual_share"]) > 1e-6,
          "the refit moved the recipe")
    no_page_errors(d, "planner with a refit")


def fits_page(d):
    print("fits page (calibration, vqa_avg)")
    d.get(BASE + "/fits?source=calibration&category=vqa_avg")
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "section.fit"), "the fits")
    truth = api("GET", "/v1/fits/curves?source=calibration&category=vqa_avg")
    sections = d.find_elements(By.CSS_SELECTOR, "section.fit")
    check([s.get_attribute("data-family") for s in sections] == [f["fit"]["family"] for f in truth["fits"]], "one section per fitted kind of law, planning fit first")
    size = next(f for f in truth["fits"] if f["fit"]["kind"] == "size-data")
    sec = next(s for s in sections if s.get_attribute("data-family") == size["fit"]["family"])
    fig = sec.find_element(By.CSS_SELECTOR, 'figure[data-axis="tokens"]')
    n = len(fig.find_elements(By.CSS_SELECTOR, ".run-point"))
    check(n == len(size["plot"]["points"]), f"every run drawn over tokens ({n})")
    held = len(fig.find_elements(By.CSS_SELECTOR, '.run-point[data-held="1"]'))
    check(held == sum(p["held_out"] for p in size["plot"]["points"]) and held > 0, f"{held} held-out points marked")
    curves = len(fig.find_elements(By.CSS_SELECTOR, "polyline.curve"))
    check(curves == sum(c["axis"] == "tokens" for c in size["plot"]["curves"]), f"{curves} law curves over tokens")
    chance = size["plot"]["chance"]
    for f in sec.find_elements(By.CSS_SELECTOR, "figure"):
        if f.get_attribute("data-axis") != "residuals":
            check(f"chance {chance:.4g}" in f.text and f.find_elements(By.CSS_SELECTOR, "line.chance"),
                  f"{f.get_attribute('data-axis')} figure draws the chance level ({chance:.4g})")
    rows = sec.find_elements(By.CSS_SELECTOR, "table.families tbody tr")
    check(len(rows) == len(size["fit"]["selection"]["candidates"]), f"the {len(rows)} families compared")
    every_control_labelled(d, "fits")
    no_page_errors(d, "fits")
    shoot(d, "fits", scroll_to=f'section.fit[data-family="{size["fit"]["family"]}"]')


def fits_refit(d):
    print("fits page: refit text_acc near a mixture with GSL's solver, and a refused bandwidth")
    d.get(BASE + "/fits?source=calibration&category=text_acc")
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "section.fit"), "the text_acc fits")
    Select(d.find_element(By.ID, "refit-family")).select_by_value("quadratic_shares")
    Select(d.find_element(By.ID, "refit-solver")).select_by_value("gsl")
    d.find_element(By.ID, "refit-near").send_keys("reasoning=25,visual=15")
    d.find_element(By.ID, "refit").click()
    wait(d, lambda d: text(d, "#refit-status").startswith("done"), "the refit", 240)
    sent = json.loads(d.find_element(By.ID, "refit-request").get_attribute("textContent"))
    check(sent == {"source": "calibration", "category": "text_acc", "family": "quadratic_shares", "solver": "gsl",
                   "near": "reasoning=25,visual=15", "bandwidth": 0.15}, f"the form sends the refit as fit --near --solver would ({sent})")
    fit = next(f for f in api("GET", "/v1/fits?source=calibration") if f["category"] == "text_acc")
    centre = (fit.get("local") or {}).get("centre") or {}
    check(fit["family"] == "quadratic_shares" and fit["local"]["bandwidth"] == 0.15
          and abs(centre.get("reasoning_share", -1) - 0.25) < 1e-12 and abs(centre.get("visual_share", -1) - 0.15) < 1e-12,
          f"the stored text_acc law is the refit near reasoning 25%, visual 15% ({centre})")
    truth = api("GET", "/v1/fits/curves?source=calibration&category=text_acc")
    local = next(f["fit"] for f in truth["fits"] if f["fit"]["family"] == "quadratic_shares")
    sec = d.find_element(By.CSS_SELECTOR, 'section.fit[data-family="quadratic_shares"]')
    check(all(n in sec.text for n in local["notes"]) and "fitted near reasoning share 25.0%" in sec.text,
          "the page redraws the law from the refit, with its note")
    every_control_labelled(d, "fits with the refit form")
    no_page_errors(d, "fits after a refit")
    shoot(d, "fits-refit", scroll_to="#refit-form")
    d.find_element(By.ID, "refit-bandwidth").clear()
    d.find_element(By.ID, "refit-bandwidth").send_keys("5")
    d.find_element(By.ID, "refit").click()
    wait(d, lambda d: "bandwidth" in text(d, "#refit-status") and not text(d, "#refit-status").startswith("fitting"),
         "the refusal", 60)
    check("(field bandwidth)" in text(d, "#refit-status"), f"a bandwidth of 5 is refused, naming the field ({text(d, '#refit-status')})")
    after = next(f for f in api("GET", "/v1/fits?source=calibration") if f["category"] == "text_acc")
    check(after == fit, "the refusal stored nothing: the newest text_acc fit is still the refit")


def runs_page(d):
    print("runs page (paper, filtered by mixture)")
    d.get(BASE + "/runs?source=paper")
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#runs tbody tr"), "the runs")
    facets = api("GET", "/v1/sources/paper")["facets"]
    mix = facets["mixtures"][0]
    Select(d.find_element(By.ID, "f-mix")).select_by_value(mix["spec"])
    wait(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#runs tbody tr")) == mix["runs"], f"the {mix['runs']} run(s) of one mixture")
    page = api("GET", "/v1/runs?source=paper&mix=" + urllib.parse.quote(mix["spec"]))
    ids = [int(r.get_attribute("data-id")) for r in d.find_elements(By.CSS_SELECTOR, "#runs tbody tr")]
    check(ids == [r["id"] for r in page["runs"]], f"the filtered runs are the API's ({ids})")
    d.find_elements(By.CSS_SELECTOR, "#runs tbody tr")[0].click()
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#run-scores tbody tr"), "the run's detail")
    check(len(d.find_elements(By.CSS_SELECTOR, "#run-scores tbody tr")) == len(page["runs"][0]["scores"]), "every score of the run listed")
    every_control_labelled(d, "runs")
    no_page_errors(d, "runs")
    shoot(d, "runs")


SWEEP_STATE = """return [document.getElementById('sweep-detail').dataset.status || '',
                          [...document.querySelectorAll('#units tbody tr')].map(r => r.dataset.state)];"""


def sweeps_page(d):
    print("sweeps page: start a tiny sweep and watch it live")
    spec = {"name": "browser-test", "label": "browser_test", "encoder": "object", "profile": "tiny", "seeds": [1],
            "designs": [{"name": "watch", "sizes": ["xs"], "mixtures": ["balanced", "web_crawl", "language_favorable"],
                         "tokens": "10K", "checkpoints": ["5K", "10K"]}]}
    d.get(BASE + "/sweeps")
    Select(d.find_element(By.ID, "preset")).select_by_value("")
    d.find_element(By.ID, "spec").send_keys(json.dumps(spec))
    if TOKEN:
        d.find_element(By.ID, "api-token").clear()
        d.execute_script("sessionStorage.removeItem('visionmix-token')")
        d.find_element(By.ID, "start").click()
        wait(d, lambda d: "error" in d.find_element(By.ID, "start-status").get_attribute("class"), "the refusal without a token")
        check("Authorization" in text(d, "#start-status"), f"without the token the server refuses ({text(d, '#start-status')})")
        d.find_element(By.ID, "api-token").send_keys(TOKEN)
    d.find_element(By.ID, "start").click()
    wait(d, lambda d: d.find_elements(By.ID, "sweep-status"), "the sweep's progress")
    sweep_id = int(re.search(r"id=(\d+)", d.current_url).group(1))
    seen = set()
    deadline = time.time() + SWEEP_SECONDS
    shot = False
    try:
        while time.time() < deadline:
            # Read in one script: the page redraws the progress every two seconds.
            status, states = d.execute_script(SWEEP_STATE)
            seen.update(states)
            # The picture: taken while a unit runs, and again once one is done (with an ETA) if the sweep still runs.
            if status == "running" and "running" in states and (not shot or (shot == "early" and "done" in states)):
                check(len(states) == 3, "three units of work listed")
                every_control_labelled(d, "sweeps")
                shoot(d, "sweep-progress")
                shot = "late" if "done" in states else "early"
            if status in ("complete", "failed", "cancelled"):
                break
            time.sleep(0.5)
    finally:
        if d.execute_script(SWEEP_STATE)[0] in ("running", "pending"):
            api("DELETE", f"/v1/sweeps/{sweep_id}")  # nothing outlives the test
    truth = api("GET", f"/v1/sweeps/{sweep_id}")
    check(truth["status"] == "complete", f"the sweep completed ({truth['status']}: {truth.get('message')})")
    wait(d, lambda d: d.execute_script(SWEEP_STATE)[0] == "complete", "the page to say complete without a reload")
    check("running" in seen, "the page showed a unit running while it ran")
    states = d.execute_script(SWEEP_STATE)[1]
    check(states == ["done"] * 3, f"every unit done ({states})")
    check(text(d, "#sweep-runs") == f"{truth['completed_runs']} of {truth['total_runs']}" and truth["completed_runs"] == 3, "runs stored, as the API says")
    check(bool(shot), "a screenshot of the live progress was taken")


def overview(d):
    print("overview page")
    d.get(BASE + "/?source=paper_scaling")
    wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "figure svg"), "the scaling curves")
    links = [a.get_attribute("href").replace(BASE, "") for a in d.find_elements(By.CSS_SELECTOR, "nav.pages a")]
    check(links == ["/", "/planner", "/fits", "/runs", "/sweeps"], f"the overview links every page ({links})")
    shoot(d, "overview")


def main():
    os.makedirs(SHOTS, exist_ok=True)
    d = browser()
    try:
        set_token(d)
        planner_shares(d)
        planner_weights_and_recommend(d)
        fits_page(d)
        fits_refit(d)
        runs_page(d)
        sweeps_page(d)
        overview(d)
        planner_refit(d)
    except Exception as e:
        d.save_screenshot(os.path.join(SHOTS, "failure.png"))
        print(f"FAILED: {e}\n(the page at failure: {os.path.join(SHOTS, 'failure.png')})")
        raise SystemExit(1)
    finally:
        d.quit()
    print(f"browser test passed: {len(checks)} checks; screenshots in {SHOTS}")


if __name__ == "__main__":
    main()
