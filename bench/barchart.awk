# Grouped bar chart as SVG, for the bench scripts: no plotting package on the machine is needed.
# Input: tab-separated lines "group<TAB>series<TAB>value" (a group is one case, e.g. "keep-alive 10 KB";
# a series is one director). Groups and series keep their first-seen order.
# usage: awk -F'\t' -v title="..." -v unit="requests/s" -f bench/barchart.awk data.tsv > chart.svg
BEGIN { ng = 0; ns = 0; max = 0 }
{
  g = $1; s = $2; v = $3 + 0
  if (!(g in gi)) { gi[g] = ng; gname[ng++] = g }
  if (!(s in si)) { si[s] = ns; sname[ns++] = s }
  val[gi[g], si[s]] = v; has[gi[g], si[s]] = 1
  if (v > max) max = v
}
END {
  split("#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f", colour, " ")
  bar = 16; gap = 14; left = 170; width = 520; top = 40
  height = top + ng * (ns * bar + gap) + 40
  if (max <= 0) max = 1
  printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", left + width + 190, height
  printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
  printf "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", esc(title)
  y = top
  for (i = 0; i < ng; i++) {
    printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 8, y + ns * bar / 2 + 4, esc(gname[i])
    for (j = 0; j < ns; j++) {
      if (!has[i, j]) { y += bar; continue }
      w = width * val[i, j] / max
      printf "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", left, y, w, bar - 2, colour[j % 8 + 1]
      printf "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%s</text>\n", left + w + 4, y + bar - 5, fmt(val[i, j])
      y += bar
    }
    y += gap
  }
  printf "<text x=\"%d\" y=\"%d\" fill=\"#555\">%s</text>\n", left, y + 14, esc(unit)
  for (j = 0; j < ns; j++) {
    printf "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", left + width + 60, top + j * 18, colour[j % 8 + 1]
    printf "<text x=\"%d\" y=\"%d\">%s</text>\n", left + width + 78, top + j * 18 + 10, esc(sname[j])
  }
  print "</svg>"
}
function fmt(v) { return v >= 100 ? sprintf("%.0f", v) : sprintf("%.3g", v) }
function esc(t) { gsub(/&/, "\\&amp;", t); gsub(/</, "\\&lt;", t); gsub(/>/, "\\&gt;", t); return t }
