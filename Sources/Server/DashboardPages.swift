import Foundation
import Hummingbird
import Laws

/// The dashboard's working pages: the planner, the fits, the runs and the sweeps. Each is a
/// small HTML shell (labelled controls, empty panels) whose script asks the JSON API under
/// /v1 and draws with inline SVG in the browser. Nothing is fetched from elsewhere: the CSS
/// and scripts are served from this binary (`/assets/{name}`), so the pages work offline.
enum DashboardPages {
    struct Page {
        let path: String
        let title: String
        let script: String
        let body: String
    }

    static let pages: [Page] = [
        Page(path: "/planner", title: "Planner", script: "planner.js", body: plannerBody),
        Page(path: "/fits", title: "Fits", script: "fits.js", body: fitsBody),
        Page(path: "/runs", title: "Runs", script: "runs.js", body: runsBody),
        Page(path: "/sweeps", title: "Sweeps", script: "sweeps.js", body: sweepsBody),
    ]

    /// The links of every page's header, the overview (`/`) first.
    static let navigation: [(path: String, title: String)] = [("/", "Overview")] + pages.map { ($0.path, $0.title) }

    @Sendable static func planner(_ request: Request, _ ctx: RouteContext) async throws -> Response { serve(pages[0]) }
    @Sendable static func fits(_ request: Request, _ ctx: RouteContext) async throws -> Response { serve(pages[1]) }
    @Sendable static func runs(_ request: Request, _ ctx: RouteContext) async throws -> Response { serve(pages[2]) }
    @Sendable static func sweeps(_ request: Request, _ ctx: RouteContext) async throws -> Response { serve(pages[3]) }

    static func serve(_ page: Page) -> Response {
        var r = JSON.text(html(page), contentType: "text/html; charset=utf-8")
        r.headers[.cacheControl] = "no-cache"
        return r
    }

    /// `GET /assets/{name}`: the stylesheet and scripts, from the binary.
    @Sendable static func asset(_ request: Request, _ ctx: RouteContext) async throws -> Response {
        let name = ctx.parameters.get("name") ?? ""
        guard let (text, type) = DashboardAssets.files[name] else {
            throw APIError(.notFound, "no asset '\(name.prefix(64))'; assets: " + DashboardAssets.files.keys.sorted().joined(separator: ", "), field: "name")
        }
        var r = JSON.text(text, contentType: type)
        // Revalidated on every load: a new binary serves new scripts at the same names.
        r.headers[.cacheControl] = "no-cache"
        return r
    }

    /// The header every page shares: the page links and, on the pages with scripts, the API
    /// token field (the overview has no script and sends nothing).
    static func header(current: String, tokenField: Bool = true) -> String {
        let links = navigation.map { link in
            "<a href=\"\(link.path)\"" + (link.path == current ? " aria-current=\"page\"" : "") + ">\(link.title)</a>"
        }.joined()
        let token = !tokenField ? "" : """
            <div class="token"><label class="inline" for="api-token">API token</label>
            <input id="api-token" type="password" autocomplete="off" placeholder="only if the server has one">
            <span id="token-note" class="note"></span></div>
            """
        return "<header class=\"top\"><a class=\"brand\" href=\"/\">VisionMix</a><nav class=\"pages\" aria-label=\"pages\">\(links)</nav>\(token)</header>"
    }

    static func html(_ page: Page) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>VisionMix · \(page.title)</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/dashboard.css">
        <script src="/assets/common.js" defer></script><script src="/assets/\(page.script)" defer></script>
        </head><body>
        \(header(current: page.path))
        <main>\(page.body)</main>
        </body></html>
        """
    }

    static let plannerBody = """
        <h1>Planner</h1><p class="sub">Move the mixture; every category's predicted score follows from the source's fitted laws (<code>POST /v1/predict</code>).</p>
        <div class="cols">
        <section class="panel" aria-labelledby="query-h"><h2 id="query-h">Query</h2>
        <label for="source">Source</label><select id="source"></select>
        <div class="row"><div><label for="params">Model size (parameters)</label><input id="params" type="text" inputmode="text" placeholder="3B"></div>
        <div><label for="tokens">Pre-training tokens</label><input id="tokens" type="text" placeholder="50B"></div></div>
        <label for="preset">Start from</label><select id="preset"></select>
        <fieldset id="mixture" style="border:0;padding:0;margin:8px 0 0"><legend style="font-weight:600;font-size:13px">Mixture (sums to 100%)</legend><div id="sliders"></div>
        <p class="sum">sent as <code id="mix-spec"></code></p></fieldset>
        <p id="planner-status" class="status" role="status"></p>
        </section>
        <section class="panel" aria-labelledby="pred-h"><h2 id="pred-h">Predicted scores</h2>
        <p id="pred-context" class="note"></p>
        <div id="pred-chart"></div><div id="pred-table"></div>
        </section></div>
        <section class="panel" aria-labelledby="rec-h" style="margin-top:16px"><h2 id="rec-h">Recommend a recipe</h2>
        <p class="sub">Searches the mixtures the laws were fitted on for the best objective under your constraints (<code>POST /v1/recommend</code>), at the size and budget above.</p>
        <form id="recommend-form"><div class="row">
        <div><label for="objective">Objective</label><input id="objective" type="text" list="categories" value="vqa_avg"><datalist id="categories"></datalist></div>
        <div><label for="constraints">Constraints</label><input id="constraints" type="text" placeholder="text_acc>=52.5, ppl<=14"></div>
        <div><label for="bounds">Bounds (% per source)</label><input id="bounds" type="text" placeholder="code<=40,literature>=2"></div>
        </div><div class="row">
        <div><label for="available">Tokens available per source</label><input id="available" type="text" placeholder="code=2T,math=500B"></div>
        <div><label for="max-epochs">Max epochs over a source</label><input id="max-epochs" type="number" min="0.1" step="0.1" value="4"></div>
        <div><label for="baseline">Baseline</label><select id="baseline"></select></div>
        <div><label for="candidates">Candidates</label><input id="candidates" type="number" min="100" max="20000" step="100" value="4000"></div>
        </div>
        <p><input id="extrapolate" type="checkbox"> <label class="inline" for="extrapolate">also search outside the fitted mixtures</label></p>
        <p><input id="refit-near" type="checkbox" data-bandwidth="\(LocalFit.standardBandwidth)"> <label class="inline" for="refit-near">refit the objective's quadratic law of the shares near the recipe first (bandwidth \(LocalFit.standardBandwidth); the refit is stored)</label></p>
        <button id="recommend" type="submit">Recommend</button> <span id="rec-status" class="status" role="status"></span>
        </form>
        <div id="recipe" hidden><div class="cols" style="margin-top:10px"><div><h3>Recipe</h3><div id="recipe-summary"></div>
        <div class="exports"><button type="button" class="secondary" id="copy-yaml">Copy YAML</button><button type="button" class="secondary" id="copy-json">Copy JSON</button>
        <button type="button" class="secondary" id="copy-megatron">Copy Megatron --data-path</button><button type="button" class="secondary" id="use-recipe">Use in the sliders</button></div>
        <p id="copy-status" class="status" role="status"></p>
        <details><summary>Exports</summary><pre id="export-text"></pre></details>
        <details><summary>Request sent</summary><pre id="rec-request"></pre></details></div>
        <div><h3>Pareto front</h3><div id="pareto"></div></div></div></div>
        </section>
        <section class="panel" aria-labelledby="design-h" style="margin-top:16px"><h2 id="design-h">Next runs</h2>
        <p class="sub">The calibration runs to make next for the recommendation in the form above (<code>POST /v1/design</code>, as <code>visionmix design next</code>), at the laws' own size and budget, each valued by the laws' bootstrap ensemble.</p>
        <form id="design-form"><div class="row">
        <div><label for="design-runs">Runs</label><input id="design-runs" type="number" min="1" max="200" step="1" value="4"></div>
        <div><label for="design-strategy">Placed by</label><select id="design-strategy"><option value="space-filling">space-filling (the default)</option><option value="regret">expected regret</option></select></div>
        </div>
        <button id="design" type="submit">Design next runs</button> <span id="design-status" class="status" role="status"></span>
        </form>
        <div id="design-result"></div>
        <details><summary>Request sent</summary><pre id="design-request"></pre></details>
        </section>
        """

    static var fitsBody: String { """
        <h1>Fits</h1><p class="sub">Per category, the runs and the law fitted to them, drawn from <code>GET /v1/fits/curves</code>: curves over tokens and parameters with the 90% bootstrap band, the held-out size marked, residuals, and the families compared.</p>
        <div class="panel"><div class="row"><div><label for="source">Source</label><select id="source"></select></div>
        <div><label for="category">Category</label><select id="category"></select></div></div>
        <p id="fits-status" class="status" role="status"></p></div>
        <form id="refit-form" class="panel" style="margin-top:14px"><h2>Refit this category</h2>
        <p class="note">Sends <code>POST /v1/fits</code> as <code>visionmix fit</code> would, stores the fit and redraws the page from it.</p>
        <div class="row"><div><label for="refit-family">Family</label><select id="refit-family">\(familyOptions)</select></div>
        <div><label for="refit-near">Near a mixture (optional; a named mixture family)</label><input id="refit-near" type="text" placeholder="reasoning=30,visual=20"></div>
        <div><label for="refit-bandwidth">Bandwidth with a mixture</label><input id="refit-bandwidth" type="number" step="0.01" value="\(LocalFit.standardBandwidth)"></div>
        <div><label for="refit-solver">Solver</label><select id="refit-solver">\(solverOptions)</select></div></div>
        <p><button id="refit" type="submit">Refit and store</button></p>
        <p id="refit-status" class="status" role="status"></p>
        <details><summary>Request sent</summary><pre id="refit-request"></pre></details>
        </form>
        <div id="fits"></div>
        """
    }

    /// `auto` and every family, as `fit --family` takes them.
    static let familyOptions = (["auto"] + LawFamily.allCases.map(\.rawValue))
        .map { "<option value=\"\($0)\">\($0)</option>" }.joined()

    /// The solvers `fit --solver` takes, the fitter's first.
    static let solverOptions = LeastSquaresMethod.allCases.map { m -> String in
        let what = switch m {
        case .levenbergMarquardt: "the fitter's Levenberg–Marquardt"
        case .gsl: "GSL's trust region"
        case .gslAccelerated: "GSL's, with geodesic acceleration"
        }
        return "<option value=\"\(m.rawValue)\">\(m.rawValue): \(what)</option>"
    }.joined()

    static let runsBody = """
        <h1>Runs</h1><p class="sub">Stored runs (<code>GET /v1/runs</code>), filtered; select a row for every score and its provenance.</p>
        <div class="panel"><div class="row">
        <div><label for="source">Source</label><select id="source"></select></div>
        <div><label for="f-params">Model size</label><select id="f-params"></select></div>
        <div><label for="f-tokens">Token budget</label><select id="f-tokens"></select></div>
        <div><label for="f-mix">Mixture</label><select id="f-mix"></select></div>
        </div><p id="runs-status" class="status" role="status"></p></div>
        <div class="cols wide-first" style="margin-top:12px">
        <section class="panel" aria-labelledby="runs-h"><h2 id="runs-h">Runs</h2><div id="runs-table"></div>
        <div class="row" style="margin-top:6px;max-width:360px"><button type="button" class="secondary" id="prev">Previous page</button><button type="button" class="secondary" id="next">Next page</button></div></section>
        <section class="panel" aria-labelledby="run-h"><h2 id="run-h">Run</h2><div id="run-detail"><p class="note">Select a run.</p></div></section></div>
        """

    static let sweepsBody = """
        <h1>Sweeps</h1><p class="sub">Calibration sweeps run by the server as background processes (<code>/v1/sweeps</code>); progress refreshes every two seconds while one runs.</p>
        <div class="cols"><section class="panel" aria-labelledby="start-h"><h2 id="start-h">Start a sweep</h2>
        <form id="start-form"><label for="preset">Preset</label><select id="preset"><option value="quick">quick</option><option value="standard">standard</option><option value="">(the spec below)</option></select>
        <label for="spec">Or a spec (the JSON of <code>visionmix sweep show</code>)</label><textarea id="spec" rows="6" spellcheck="false"></textarea>
        <p><button type="submit" id="start">Start</button></p><p id="start-status" class="status" role="status"></p></form></section>
        <div><section class="panel" aria-labelledby="list-h"><h2 id="list-h">All sweeps</h2><div id="sweep-list"></div></section>
        <section class="panel" aria-labelledby="sweep-h" style="margin-top:16px"><h2 id="sweep-h">Sweep</h2><div id="sweep-detail"><p class="note">Select a sweep.</p></div></section></div></div>
        """
}

/// The stylesheet and scripts of the dashboard, by file name, with their content types.
enum DashboardAssets {
    static let files: [String: (text: String, type: String)] = [
        "dashboard.css": (style, "text/css; charset=utf-8"),
        "common.js": (commonScript, "text/javascript; charset=utf-8"),
        "planner.js": (plannerScript, "text/javascript; charset=utf-8"),
        "fits.js": (fitsScript, "text/javascript; charset=utf-8"),
        "runs.js": (runsScript, "text/javascript; charset=utf-8"),
        "sweeps.js": (sweepsScript, "text/javascript; charset=utf-8"),
    ]
}
