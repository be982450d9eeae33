extension DashboardAssets {
    /// `/assets/dashboard.css`: one layout for every page; two columns from 900 px, one below,
    /// tables scroll sideways on a narrow window instead of widening the page.
    static let style = #"""
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:0;color:#1d1d1f;background:#fafafa;font-size:15px;line-height:1.4}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 20px;padding:8px 20px;background:#fff;border-bottom:1px solid #ddd}
header.top .brand{font-weight:700;font-size:17px;color:#1d1d1f;text-decoration:none}
nav.pages{display:flex;flex-wrap:wrap;gap:4px}
nav.pages a{padding:4px 10px;border-radius:4px;color:#3465a4;text-decoration:none}
nav.pages a[aria-current="page"]{background:#3465a4;color:#fff}
.token{margin-left:auto;display:flex;align-items:center;gap:6px;font-size:13px;color:#555}
.token input{width:14em}
main{padding:12px 20px 40px;max-width:1400px;margin:0 auto}
h1{font-size:22px;margin:6px 0 2px}h2{font-size:18px;margin:18px 0 6px}h3{font-size:16px;margin:14px 0 4px}
.sub{color:#666;margin:0 0 10px}
.cols{display:grid;grid-template-columns:minmax(300px,380px) 1fr;gap:16px;align-items:start}
.cols.wide-first{grid-template-columns:1fr minmax(280px,400px)}
.cols>*{min-width:0}
td.name{max-width:16em;overflow:hidden;text-overflow:ellipsis}
.panel{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:12px 14px;min-width:0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:12px}
figure{margin:0;background:#fff;border:1px solid #eee;border-radius:4px;padding:4px;min-width:0}
figcaption{font-size:12px;color:#555;padding:2px 4px}
label{font-weight:600;font-size:13px;display:block;margin:8px 0 2px}
label.inline{display:inline;font-weight:normal}
input,select,textarea,button{font:inherit;font-size:14px}
input[type=text],input[type=number],input[type=password],select,textarea{width:100%;padding:4px 6px;border:1px solid #bbb;border-radius:4px;background:#fff}
textarea{min-height:4em;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
button{padding:5px 12px;border:1px solid #3465a4;background:#3465a4;color:#fff;border-radius:4px;cursor:pointer}
button.secondary{background:#fff;color:#3465a4}
button:disabled{opacity:.5;cursor:not-allowed}
.row{display:flex;gap:10px;flex-wrap:wrap}.row>*{flex:1 1 120px;min-width:0}
.slider{display:grid;grid-template-columns:8.5em 1fr 4.2em;align-items:center;gap:6px;margin:2px 0}
.slider label{margin:0;font-weight:normal}
.slider input{min-width:0;width:100%}
fieldset{min-width:0}
.slider output{text-align:right;font-variant-numeric:tabular-nums}
.sum{font-size:13px;color:#555;margin-top:4px;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{padding:3px 8px;border-bottom:1px solid #e4e4e4;text-align:left;white-space:nowrap}
th{background:#f4f4f4;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.selected td{background:#eef3fb}
tbody tr.clickable{cursor:pointer}tbody tr.clickable:hover td{background:#f3f6fb}
.badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:11px;font-weight:600}
.badge.extrapolated{background:#fde7d9;color:#8a3a00}
.badge.plans{background:#dff0e0;color:#1e5e2a}
.state{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px}
.state.done,.state.complete{background:#dff0e0;color:#1e5e2a}.state.running{background:#dbe7f8;color:#1f4e8c}
.state.failed{background:#f8dcdc;color:#8c1f1f}.state.cancelled{background:#eee;color:#555}.state.pending{background:#fff5d6;color:#6b5200}
.status{min-height:1.4em;font-size:13px;color:#555}.status.error{color:#b00020;font-weight:600}
.note{color:#666;font-size:13px}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
pre{background:#f4f4f4;padding:8px;overflow:auto;max-height:16em;border-radius:4px}
.bar{height:18px;background:#eee;border:1px solid #ccc;border-radius:3px;position:relative;min-width:120px}
.bar>span{display:block;height:100%;background:#3465a4}
.bar>b{position:absolute;inset:0;text-align:center;font-size:12px;line-height:18px;font-weight:600}
svg.chart{display:block;max-width:100%;height:auto;font-family:inherit}
svg .grid{stroke:#eee}svg .axis{stroke:#555}svg .axis-break{stroke:#bbb;stroke-dasharray:2 2}
svg .tick{font-size:11px;fill:#444}svg .axis-label{font-size:12px;fill:#222}svg .chart-title{font-size:13px;font-weight:600;fill:#222}
svg .legend{font-size:11px;fill:#333}
svg .chance{stroke:#c0392b;stroke-width:1.5;stroke-dasharray:6 4}svg .chance-label{font-size:11px;fill:#c0392b}
svg .ref{stroke:#888;stroke-dasharray:3 3}svg .band{opacity:.18}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;font-size:13px}
.kv dt{color:#555}.kv dd{margin:0}
.exports{display:flex;gap:6px;flex-wrap:wrap;margin:6px 0}
@media (max-width:900px){
  .cols,.cols.wide-first{grid-template-columns:1fr}
  .grid{grid-template-columns:1fr}
  main{padding:8px 10px 30px}
  header.top{padding:6px 10px}
  .token{margin-left:0;width:100%}.token input{flex:1}
}
"""#
}
