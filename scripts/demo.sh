#!/usr/bin/env bash
# The main job until the search lands: a tour of the loss language on the published losses.
set -euo pipefail
bin="${1:-.build/release/autoloss}"
echo "== Known losses"
"$bin" loss list
echo
echo "== CSE-Autoloss-A classification, from the authors' prefix string"
"$bin" loss show cse-a-cls --branch softmax --format infix
"$bin" loss show cse-a-cls --branch softmax --format latex
echo
echo "== CSE-Autoloss-B regression, canonical form"
"$bin" loss show cse-b-reg --branch reg --format canonical
echo
echo "== Values and gradients of cse-a-cls on two RoIs (3 classes, background last)"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
echo '{"x": [[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], "y": [[1, 0, 0], [0, 0, 1]], "w": [0.8, 1.0]}' >"$tmp"
"$bin" loss eval cse-a-cls --branch softmax --inputs "$tmp"
echo
echo "== A bad formula gets a clear error (exit 2)"
"$bin" loss show "-dot(y, log(softmax(x))" --branch softmax || echo "(exit $?)"
