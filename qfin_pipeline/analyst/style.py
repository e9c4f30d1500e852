"""The report's stylesheet, inlined in the page (nothing is fetched; no package data to install)."""

STYLE = """\
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0 auto;
       max-width: 1320px; padding: 16px 32px 48px; color: #1f2933; background: #fff; font-size: 14px; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 28px 0 10px; border-bottom: 2px solid #d9e2ec; padding-bottom: 4px; }
header p, .note { color: #52606d; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px 24px; }
figure.chart { margin: 0; }
figure.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 6px 0 14px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e4e7eb; vertical-align: top; text-align: left; }
th { background: #f0f4f8; font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.section { font-weight: 600; padding-top: 8px; background: #fafbfc; }
td.indent { padding-left: 26px; }
td.derived { font-style: italic; color: #7b4fc0; }
table.statement td:first-child { max-width: 560px; }
table.details td:last-child { max-width: 760px; }
.verdict { font-weight: 600; text-transform: uppercase; font-size: 12px; }
.verdict.above { color: #147d64; } .verdict.within { color: #2680c2; }
.verdict.below { color: #cf1124; } .verdict.pending { color: #7b8794; }
"""
