/**
 * The dashboard's only stylesheet, served by the dashboard itself (no build
 * step, no CDN). Colours keep at least 4.5:1 contrast; every control shows
 * its keyboard focus; below 40rem tables scroll sideways in their own box.
 */
export const STYLESHEET = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #4d5661; --line: #c9d0d8; --bg: #ffffff; --panel: #f3f5f7;
  --accent: #0b5cad; --danger: #a4161a; --ok: #1d6b2f; --warn: #7a4b00; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header.top { background: #15202b; color: #fff; padding: .75rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; }
header.top a { color: #fff; }
header.top .brand { font-weight: 700; text-decoration: none; }
header.top nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
header.top .who { margin-left: auto; font-size: .875rem; color: #d7dee5; }
main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible, .table-wrap:focus-visible {
  outline: 3px solid #f0b400; outline-offset: 2px; }
.notice { border-left: 4px solid var(--ok); background: #e9f5ec; padding: .5rem .75rem; margin: 0 0 1rem; }
.error { border-left: 4px solid var(--danger); background: #fbeaea; padding: .5rem .75rem; margin: 0 0 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .75rem; margin: 0 0 1rem; padding: 0; list-style: none; }
.cards li { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; }
.cards .figure { display: block; font-size: 1.6rem; font-weight: 700; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .9375rem; }
caption { text-align: left; padding: .5rem .75rem; font-weight: 600; }
th, td { text-align: left; padding: .45rem .75rem; border-top: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--panel); border-top: 0; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.key { overflow-wrap: anywhere; min-width: 12rem; }
td.error-text { overflow-wrap: anywhere; min-width: 14rem; }
tr.replay th, tr.replay td { background: var(--panel); }
.outcome { font-weight: 600; } .outcome-failed, .outcome-expired, .outcome-abandoned { color: var(--danger); } .outcome-delivered { color: var(--ok); } .outcome-running { color: var(--warn); }
.state { display: inline-block; padding: 0 .4rem; border-radius: 4px; font-size: .8125rem; font-weight: 600; border: 1px solid currentColor; }
.state-dead { color: var(--danger); } .state-pending { color: var(--warn); } .state-done { color: var(--ok); } .state-retrying { color: var(--warn); }
form.filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .5rem .75rem; align-items: end;
  background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; margin: 0 0 1rem; }
label { display: block; font-size: .875rem; font-weight: 600; }
input, select, button { font: inherit; }
input[type=text], input[type=datetime-local], input[type=number], select { width: 100%; padding: .35rem .5rem; border: 1px solid #7b8794; border-radius: 4px; background: #fff; color: var(--ink); }
button, .button { display: inline-block; padding: .45rem .9rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff;
  cursor: pointer; text-decoration: none; min-height: 2.5rem; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--danger); border-color: var(--danger); }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0 1rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
dl.facts dt { font-weight: 600; color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
pre.event { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow-x: auto; font-size: .875rem; }
.pager { display: flex; gap: 1rem; align-items: center; }
.muted { color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.phone-only { display: none; }
@media (max-width: 40rem) {
  main { padding: .75rem; }
  dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: .5rem; }
  header.top .who { margin-left: 0; }
  table.attempts thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.attempts tr { display: block; border-top: 1px solid var(--line); padding: .4rem 0; }
  table.attempts th[scope=row], table.attempts td { display: block; border: 0; padding: .1rem .75rem; text-align: left; min-width: 0; }
  table.attempts td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
  table.attempts td:empty { display: none; }
  .phone-only { display: inline; }
}
`;
