#!/usr/bin/env bash
# Rebuild linkwell/static/vendor (and the browser tests' axe-core in tests/e2e/vendor) from the
# npm registry packages (run by hand, then commit).
# Pinned versions; the browser must fetch nothing from the internet at run time, so the
# NHS.UK font-face rules (which load Frutiger from assets.nhs.uk) are stripped: pages fall
# back to Arial, as the NHS.UK frontend itself does when the font is unavailable.
set -euo pipefail
NHSUK=10.6.1
HTMX=2.0.11
AXE=4.11.1
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/linkwell/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "nhsuk-frontend@$NHSUK" "htmx.org@$HTMX" "axe-core@$AXE" >/dev/null
mkdir nhsuk htmx axe
tar xzf "nhsuk-frontend-$NHSUK.tgz" -C nhsuk
tar xzf "htmx.org-$HTMX.tgz" -C htmx
tar xzf "axe-core-$AXE.tgz" -C axe
rm -rf "$out/nhsuk" "$out/htmx"
mkdir -p "$out/nhsuk" "$out/htmx"
dist=nhsuk/package/dist/nhsuk
cp -r "$dist/assets" "$out/nhsuk/assets"
cp "$dist/nhsuk-frontend.min.js" "$out/nhsuk/"
cp nhsuk/package/LICENSE* "$out/nhsuk/" 2>/dev/null || true
python3 - "$dist/nhsuk-frontend.min.css" "$out/nhsuk/nhsuk-frontend.min.css" <<'PY'
import re, sys
css = open(sys.argv[1], encoding="utf-8").read()
css = re.sub(r"@font-face\{[^}]*assets\.nhs\.uk[^}]*\}", "", css)
css = css.replace("url(/assets/", "url(assets/")
css = re.sub(r"/\*# sourceMappingURL=.*?\*/", "", css)
open(sys.argv[2], "w", encoding="utf-8").write(css)
PY
sed -i 's|//# sourceMappingURL=.*||' "$out/nhsuk/nhsuk-frontend.min.js"
cp htmx/package/dist/htmx.min.js "$out/htmx/"
cp htmx/package/LICENSE "$out/htmx/" 2>/dev/null || true
printf 'nhsuk-frontend %s (MIT), htmx.org %s (0BSD), from the npm registry by scripts/vendor-frontend.sh\n' "$NHSUK" "$HTMX" > "$out/README"
# axe-core runs only in the browser tests (tests/e2e/accessibility.py), never in the product.
mkdir -p "$root/tests/e2e/vendor"
cp axe/package/axe.min.js axe/package/LICENSE "$root/tests/e2e/vendor/"
printf 'axe-core %s (MPL-2.0), from the npm registry by scripts/vendor-frontend.sh\n' "$AXE" > "$root/tests/e2e/vendor/README"
